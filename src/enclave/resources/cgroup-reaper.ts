// Enclave cgroups whose driver is gone: a driver killed outright (SIGKILL, a
// cancelled job step) never removed them. Its components died with it (their
// parent-death signal), so such a cgroup is empty or about to be; conflux
// clean and every node's agent remove them, as they remove dead runs'
// directories. Those of live drivers are left alone.
import { isProcessAlive } from "../../shm/process-identity.ts";
import { type CgroupHost, cgroupBases, cgroupHost } from "./cgroup-host.ts";
import { enclaveCgroupsUnder, removeCgroupDirectories } from "./enclave-cgroup.ts";

export interface DeadCgroup {
  directory: string;
  pid: number;
}

/** The enclave cgroups of drivers that have ended; with `dryRun` false they are removed (what is inside is killed). */
export function reapDeadCgroups(options: { dryRun: boolean; host?: CgroupHost }): DeadCgroup[] {
  const host = options.host ?? cgroupHost();
  if (host.version === 0) return [];
  const bases = cgroupBases(host);
  const dead = enclaveCgroupsUnder(bases).filter((found) => !isProcessAlive(found));
  if (!options.dryRun) {
    for (const cgroup of dead) {
      try {
        removeCgroupDirectories([cgroup.directory]);
      } catch {
        // Still busy after the wait: the next clean takes it.
      }
    }
  }
  return dead.map(({ directory, pid }) => ({ directory, pid }));
}
