// One enclave's cgroup: made before its first process starts, with the
// composition's limits written into it; that process joins it before it execs
// the component (joinPrefix), so everything the component forks is inside
// from its first page on. At the end it says what the enclave used (peak
// memory, CPU time) and whether the kernel's OOM killer ended it there; then
// it kills whatever is left in it and removes it, so nothing stays in the tree.
// crun runs with its own cgroup manager disabled (a crun killed with its
// supervisor would leave one behind) and inherits this cgroup as any process.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { processStartTicks } from "../../shm/process-identity.ts";
import { type CgroupHost, cgroupBases } from "./cgroup-host.ts";
import type { ResourceLimits, ResourceUsage } from "./resource-limits.ts";

/** Every enclave cgroup's name begins so: conflux-<driver pid>.<its start ticks>-<component>.<sequence>. */
export const ENCLAVE_CGROUP_PREFIX = "conflux-";

/** How long removal waits for the last processes it killed to leave the cgroup. */
const REMOVAL_MS = 2000;

const MIB = 1024 * 1024;

/** Tells apart the cgroups of one component's enclaves made one after another by one driver (a bench's repeats). */
let made = 0;

export class EnclaveCgroup {
  private removed = false;

  private constructor(
    readonly host: Exclude<CgroupHost, { version: 0 }>,
    /** The cgroup's directories: one for v2, one per hierarchy for v1 (cpu and cpuacct may be one). */
    readonly directories: readonly string[],
    readonly limits: ResourceLimits,
    /** The cgroup's own name, the same in every hierarchy. */
    private readonly leaf: string,
  ) {}

  /** Makes the cgroup of component `name` with `limits`; throws an error naming the component and the file. */
  static create(host: Exclude<CgroupHost, { version: 0 }>, name: string, limits: ResourceLimits): EnclaveCgroup {
    const leaf = `${ENCLAVE_CGROUP_PREFIX}${process.pid}.${processStartTicks(process.pid) ?? 0}-${name}.${++made}`;
    const bases = cgroupBases(host);
    const directories = bases.map((base) => join(base, leaf));
    const cgroup = new EnclaveCgroup(host, directories, limits, leaf);
    try {
      for (const directory of directories) mkdirSync(directory);
      cgroup.writeLimits();
    } catch (error) {
      cgroup.remove();
      throw new Error(`component ${name}: cannot set up its cgroup: ${(error as Error).message}`);
    }
    return cgroup;
  }

  /**
   * The argv prefix that moves the process into this cgroup and then execs the rest: a shell with
   * the same pid, so the component's pid stays the one its supervisor spawned.
   */
  joinPrefix(): string[] {
    const files = this.directories.map((directory) => join(directory, "cgroup.procs"));
    return [
      "/bin/sh",
      "-c",
      'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || { echo "conflux: cannot join the cgroup $1" >&2; exit 125; }; shift; n=$((n-1)); done; exec "$@"',
      "conflux-cgroup-join",
      String(files.length),
      ...files,
    ];
  }

  /** What the enclave used until now; after its end, in all. */
  usage(): ResourceUsage {
    const memory = this.directories[0] as string;
    let peakMemoryBytes: number;
    let cpuTimeNs: number;
    let oomKills: number;
    if (this.host.version === 2) {
      peakMemoryBytes = readNumber(join(memory, "memory.peak")) ?? readNumber(join(memory, "memory.current")) ?? 0;
      cpuTimeNs = (keyed(join(memory, "cpu.stat")).get("usage_usec") ?? 0) * 1000;
      oomKills = keyed(join(memory, "memory.events")).get("oom_kill") ?? 0;
    } else {
      const cpuacct = join(this.host.cpuacct, this.leaf);
      peakMemoryBytes = readNumber(join(memory, "memory.max_usage_in_bytes")) ?? 0;
      cpuTimeNs = readNumber(join(cpuacct, "cpuacct.usage")) ?? 0;
      const control = keyed(join(memory, "memory.oom_control"));
      // Kernels before 4.13 have no oom_kill count: a limit that was hit at all is the sign then.
      oomKills = control.get("oom_kill") ?? ((readNumber(join(memory, "memory.failcnt")) ?? 0) > 0 ? 1 : 0);
    }
    return {
      cgroup: this.host.version === 2 ? "v2" : "v1",
      peakMemoryBytes,
      cpuTimeNs,
      oomKills,
      ...(this.limits.memoryMib === undefined ? {} : { memoryLimitMib: this.limits.memoryMib }),
      ...(this.limits.cpuWeight === undefined ? {} : { cpuWeight: this.limits.cpuWeight }),
    };
  }

  /** Kills what is left inside and removes the cgroup; idempotent, and quiet about directories already gone. */
  remove(): void {
    if (this.removed) return;
    this.removed = true;
    removeCgroupDirectories(this.directories);
  }

  private writeLimits(): void {
    const memoryMib = this.limits.memoryMib;
    const cpuWeight = this.limits.cpuWeight;
    if (this.host.version === 2) {
      const directory = this.directories[0] as string;
      if (memoryMib !== undefined) {
        writeFileSync(join(directory, "memory.max"), String(memoryMib * MIB));
        // Over its limit the enclave is killed, not swapped out: a limit that swaps only slows the run down.
        const swap = join(directory, "memory.swap.max");
        if (existsSync(swap)) writeFileSync(swap, "0");
      }
      if (cpuWeight !== undefined) writeFileSync(join(directory, "cpu.weight"), String(cpuWeight));
      return;
    }
    const memory = this.directories[0] as string;
    if (memoryMib !== undefined) {
      writeFileSync(join(memory, "memory.limit_in_bytes"), String(memoryMib * MIB));
      const swap = join(memory, "memory.memsw.limit_in_bytes");
      if (existsSync(swap)) writeFileSync(swap, String(memoryMib * MIB));
    }
    if (cpuWeight !== undefined) {
      const cpu = join(this.host.cpu, this.leaf);
      writeFileSync(join(cpu, "cpu.shares"), String(cpuSharesOf(cpuWeight)));
    }
  }
}

/** cgroup v2's cpu.weight (1–10000, 100 by default) as v1's cpu.shares (2–262144, 1024 by default). */
export function cpuSharesOf(weight: number): number {
  return Math.max(2, Math.round((weight * 1024) / 100));
}

/** Kills every process left in `directories` and removes them, waiting up to REMOVAL_MS for the killed to leave. */
export function removeCgroupDirectories(directories: readonly string[]): void {
  const deadline = Date.now() + REMOVAL_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (const directory of directories) {
    for (;;) {
      for (const pid of members(directory)) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // gone already
        }
      }
      try {
        rmdirSync(directory);
        break;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT") break;
        if (code !== "EBUSY" || Date.now() > deadline)
          throw new Error(`cannot remove the cgroup ${directory}: ${code}`);
        Atomics.wait(pause, 0, 0, 5);
      }
    }
  }
}

/** The enclave cgroups under `bases`; a driver's are conflux-<pid>.<start ticks>-<component>. */
export function enclaveCgroupsUnder(
  bases: readonly string[],
): { directory: string; pid: number; startTicks: number }[] {
  const found: { directory: string; pid: number; startTicks: number }[] = [];
  for (const base of new Set(bases)) {
    let names: string[];
    try {
      names = readdirSync(base);
    } catch {
      continue;
    }
    for (const name of names) {
      const match = /^conflux-(\d+)\.(\d+)-/.exec(name);
      if (match === null) continue;
      found.push({ directory: join(base, name), pid: Number(match[1]), startTicks: Number(match[2]) });
    }
  }
  return found;
}

function members(directory: string): number[] {
  let text: string;
  try {
    text = readFileSync(join(directory, "cgroup.procs"), "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map(Number)
    .filter((pid) => Number.isInteger(pid) && pid > 0);
}

function readNumber(path: string): number | undefined {
  try {
    const value = Number(readFileSync(path, "utf8").trim());
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A "key value" per line file (memory.events, cpu.stat, memory.oom_control). */
function keyed(path: string): Map<string, number> {
  const values = new Map<string, number>();
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return values;
  }
  for (const line of text.split("\n")) {
    const [key, value] = line.split(" ");
    if (key !== undefined && value !== undefined) values.set(key, Number(value));
  }
  return values;
}
