// What each enclave kind needs from the host, checked for real (a probe runs),
// and, for each missing piece, the package that provides it.
import { accessSync, constants, existsSync } from "node:fs";
import { findExecutable } from "../platform/executable.ts";
import { packagePath } from "../platform/package-root.ts";
import { parentDeathPrefix } from "../platform/parent-death-signal.ts";
import type { Requirement } from "../platform/requirement.ts";
import { probeContainerRuntime } from "./container/probe.ts";
import type { EnclaveKind } from "./kind.ts";
import { vmRequirements } from "./vm/requirements.ts";

export interface KindReport {
  kind: EnclaveKind;
  usable: boolean;
  requirements: Requirement[];
}

function executable(name: string, debianPackage: string): Requirement {
  const path = findExecutable(name);
  return path === undefined
    ? { what: name, ok: false, detail: "not found on PATH", fix: `apt-get install -y ${debianPackage}` }
    : { what: name, ok: true, detail: path };
}

function sharedMemory(): Requirement {
  const root = process.env.CONFLUX_SHM_ROOT ?? "/dev/shm";
  try {
    accessSync(root, constants.W_OK);
    return { what: `shared memory (${root})`, ok: true, detail: "writable tmpfs" };
  } catch {
    return {
      what: `shared memory (${root})`,
      ok: false,
      detail: "not writable",
      fix: "mount a tmpfs on /dev/shm, or set CONFLUX_SHM_ROOT to a writable tmpfs directory",
    };
  }
}

function nativeAddon(): Requirement {
  const built = existsSync(packagePath("build/Release/conflux_native.node"));
  return built
    ? { what: "native addon", ok: true, detail: "built" }
    : { what: "native addon", ok: false, detail: "not built", fix: "npm install (needs g++, make, python3)" };
}

/** Optional: without setpriv a component outlives a driver killed by SIGKILL until it next waits for it. */
function parentDeath(): Requirement {
  const works = parentDeathPrefix().length > 0;
  return works
    ? { what: "setpriv --pdeathsig (optional)", ok: true, detail: "components die with their driver, even on SIGKILL" }
    : {
        what: "setpriv --pdeathsig (optional)",
        ok: false,
        detail: "without it a component outlives a SIGKILLed driver until it next waits for it",
        fix: "apt-get install -y util-linux",
      };
}

function report(kind: EnclaveKind, requirements: Requirement[]): KindReport {
  return { kind, usable: requirements.every((requirement) => requirement.ok), requirements };
}

export function checkEnclaveKinds(): KindReport[] {
  const base = [nativeAddon(), sharedMemory()];
  const bwrap = executable("bwrap", "bubblewrap");
  const crun = executable("crun", "crun");
  const container = [...base, bwrap];
  if (bwrap.ok) {
    // A real container, built as a component's is: runtime bubblewrap, the default.
    const sandbox = probeContainerRuntime("bubblewrap");
    container.push({
      what: "runtime bubblewrap (the default)",
      ...sandbox,
      ...(sandbox.ok
        ? {}
        : { fix: "allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1) or run as root" }),
    });
  }
  // crun is the other runtime a composition may ask for; without it, kind container still works on bubblewrap.
  const crunWorks = crun.ok ? probeContainerRuntime("crun") : { ok: false, detail: crun.detail };
  const optional: Requirement = {
    what: "runtime crun (optional)",
    ...crunWorks,
    ...(crunWorks.ok ? {} : { fix: crun.ok ? "run as root, or use runtime bubblewrap" : (crun.fix ?? "") }),
  };
  const vm = [...base, ...vmRequirements()];
  return [
    report("thread", base),
    { ...report("process", base), requirements: [...base, parentDeath()] },
    { ...report("container", container), requirements: [...container, optional] },
    report("vm", vm),
  ];
}
