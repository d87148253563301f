// enclave/container/oci/ owns the OCI runtime (crun): the bundle's config, the pid namespace's init, cgroups, failures.
// It must not supervise the component: container-enclave.ts does that for every runtime alike.

// crun refuses the hybrid cgroup layout (v1 controllers under /sys/fs/cgroup,
// an empty cgroup2 tree at /sys/fs/cgroup/unified): "cgroups in hybrid mode not
// supported". In a private mount namespace with that cgroup2 mount removed, it
// sees plain v1 and runs; the host's mounts stay as they are.
import { readFileSync } from "node:fs";
import { cgroupMounts } from "../../resources/cgroup-host.ts";

export interface CgroupLayout {
  /** "v2" (unified), "v1", or "hybrid" (v1 plus a cgroup2 mount beside it). */
  kind: "v1" | "v2" | "hybrid" | "none";
  /** The cgroup2 mounts to remove, in a private mount namespace, before crun runs. */
  unmountForCrun: string[];
}

export function cgroupLayout(mountinfo = readMountinfo()): CgroupLayout {
  const mounts = cgroupMounts(mountinfo);
  const v1 = mounts.filter((mount) => mount.type === "cgroup");
  const v2 = mounts.filter((mount) => mount.type === "cgroup2").map((mount) => mount.mountPoint);
  if (v1.length > 0 && v2.length > 0) return { kind: "hybrid", unmountForCrun: v2 };
  if (v2.length > 0) return { kind: "v2", unmountForCrun: [] };
  return { kind: v1.length > 0 ? "v1" : "none", unmountForCrun: [] };
}

function readMountinfo(): string {
  try {
    return readFileSync("/proc/self/mountinfo", "utf8");
  } catch {
    return "";
  }
}
