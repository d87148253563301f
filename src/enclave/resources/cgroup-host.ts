// enclave/resources/ owns resource partitioning per enclave: which cgroup tree the host offers, one cgroup per
// enclave with its limits, what it used, and its removal. It must not know the backends: they call it alike.

// Which cgroups this host lets the driver make. cgroup v2 (one unified tree)
// is used where its root delegates the memory and cpu controllers; otherwise
// the v1 hierarchies of memory, cpu and cpuacct, each under the driver's own
// cgroup in it (so a limit of the driver's nests around the enclave's). A host
// with neither, or one where the driver may not write them (not root, a
// read-only mount), has none, and says why.
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Requirement } from "../../platform/requirement.ts";

export type CgroupHost =
  | { version: 2 /** The directory enclave cgroups are made in. */; base: string }
  | {
      version: 1;
      /** Per controller, the directory enclave cgroups are made in (cpu and cpuacct may share one). */
      memory: string;
      cpu: string;
      cpuacct: string;
    }
  | { version: 0; reason: string };

export interface CgroupMount {
  type: "cgroup" | "cgroup2";
  /** Path of the mount's root inside its hierarchy. */
  root: string;
  mountPoint: string;
  /** v1: the controllers the hierarchy carries. */
  controllers: string[];
}

let probed: CgroupHost | undefined;

/** The host's cgroups as the driver may use them; probed once (a directory made and removed in each tree). */
export function cgroupHost(): CgroupHost {
  probed ??= probeCgroupHost(readText("/proc/self/mountinfo"), readText("/proc/self/cgroup"));
  return probed;
}

export function probeCgroupHost(mountinfo: string, ownCgroups: string): CgroupHost {
  const mounts = cgroupMounts(mountinfo);
  const unified = mounts.find((mount) => mount.type === "cgroup2");
  const reasons: string[] = [];
  if (unified !== undefined) {
    const controllers = readText(join(unified.mountPoint, "cgroup.controllers")).trim().split(/\s+/);
    const missing = ["memory", "cpu"].filter((controller) => !controllers.includes(controller));
    if (missing.length === 0) {
      const base = unified.mountPoint;
      const problem = enableControllers(base) ?? writableProblem(base);
      if (problem === undefined) return { version: 2, base };
      reasons.push(`cgroup v2 at ${base}: ${problem}`);
    } else {
      reasons.push(`cgroup v2 at ${unified.mountPoint} offers no ${missing.join(" or ")} controller`);
    }
  }
  const own = ownCgroupPaths(ownCgroups);
  const directories: Record<string, string> = {};
  for (const controller of ["memory", "cpu", "cpuacct"]) {
    const mount = mounts.find((candidate) => candidate.type === "cgroup" && candidate.controllers.includes(controller));
    if (mount === undefined) {
      reasons.push(`no cgroup v1 hierarchy carries ${controller}`);
      break;
    }
    const path = own.get(mount.controllers.join(",")) ?? "/";
    // The driver's own cgroup as seen from the mount's root (a container sees only its part of the tree).
    const relative = path.startsWith(mount.root) ? path.slice(mount.root.length) : "";
    directories[controller] = join(mount.mountPoint, relative);
  }
  const { memory, cpu, cpuacct } = directories;
  if (memory !== undefined && cpu !== undefined && cpuacct !== undefined) {
    const problem = [memory, cpu, cpuacct].map(writableProblem).find((found) => found !== undefined);
    if (problem === undefined) return { version: 1, memory, cpu, cpuacct };
    reasons.push(`cgroup v1: ${problem}`);
  }
  if (mounts.length === 0) reasons.push("no cgroup file system is mounted");
  return { version: 0, reason: reasons.join("; ") };
}

/** The directories enclave cgroups are made in: one for v2, one per hierarchy for v1 (cpu and cpuacct may be one). */
export function cgroupBases(host: Exclude<CgroupHost, { version: 0 }>): string[] {
  return host.version === 2 ? [host.base] : [...new Set([host.memory, host.cpu, host.cpuacct])];
}

/** What conflux doctor says of per-enclave limits (memory_mib, cpu_weight) and usage in the run record. */
export function cgroupRequirement(host: CgroupHost = cgroupHost()): Requirement {
  return {
    what: "cgroups for enclave limits and usage",
    ok: host.version !== 0,
    detail: describeCgroupHost(host),
    ...(host.version === 0
      ? {
          fix: "run as root on a host with cgroup v2 (memory and cpu controllers) or the v1 memory, cpu and cpuacct hierarchies; without, compositions with memory_mib or cpu_weight are refused and records hold no peak memory",
        }
      : {}),
  };
}

/** A short account for doctor and for refusals. */
export function describeCgroupHost(host: CgroupHost): string {
  if (host.version === 2) return `cgroup v2 (enclave cgroups under ${host.base})`;
  if (host.version === 1) return `cgroup v1 (enclave cgroups under ${host.memory}, ${host.cpu}, ${host.cpuacct})`;
  return `no usable cgroups: ${host.reason}`;
}

export function cgroupMounts(mountinfo: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of mountinfo.split("\n")) {
    // mount id, parent, dev, root, mount point, options, optional fields…, "-", type, source, super options
    const fields = line.split(" ");
    const separator = fields.indexOf("-");
    if (separator < 0) continue;
    const type = fields[separator + 1];
    if (type !== "cgroup" && type !== "cgroup2") continue;
    const options = (fields[separator + 3] ?? "").split(",");
    mounts.push({
      type,
      root: unescapeOctal(fields[3] ?? "/"),
      mountPoint: unescapeOctal(fields[4] ?? ""),
      controllers: type === "cgroup" ? options.filter((option) => KNOWN_CONTROLLERS.has(option)).sort() : [],
    });
  }
  return mounts;
}

const KNOWN_CONTROLLERS = new Set(["cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids"]);

/** /proc/self/cgroup: hierarchy id, controllers, path; keyed by the sorted controllers ("" for v2). */
function ownCgroupPaths(text: string): Map<string, string> {
  const paths = new Map<string, string>();
  for (const line of text.split("\n")) {
    const [, controllers = "", ...path] = line.split(":");
    if (path.length === 0) continue;
    paths.set(controllers.split(",").sort().join(","), path.join(":"));
  }
  return paths;
}

/** v2: the root delegates memory and cpu to its children (the root alone may hold processes and delegate). */
function enableControllers(base: string): string | undefined {
  const enabled = readText(join(base, "cgroup.subtree_control")).trim().split(/\s+/);
  if (enabled.includes("memory") && enabled.includes("cpu")) return undefined;
  try {
    writeFileSync(join(base, "cgroup.subtree_control"), "+memory +cpu");
    return undefined;
  } catch (error) {
    return `cannot delegate memory and cpu to its children (${(error as NodeJS.ErrnoException).code})`;
  }
}

function writableProblem(directory: string): string | undefined {
  const probe = join(directory, `conflux-probe-${process.pid}`);
  try {
    mkdirSync(probe);
    rmdirSync(probe);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return `cannot make a cgroup in ${directory} (${code}${code === "EACCES" || code === "EPERM" ? ": run as root or delegate it" : ""})`;
  }
}

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

/** mountinfo writes space, tab, newline and backslash as octal escapes. */
function unescapeOctal(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}
