// What a composition may ask of an enclave's resources, and what the run
// record keeps of what it used. `cpus` (affinity) is older and stays in the
// launch; these two need a cgroup.

export interface ResourceLimits {
  /** The most memory the enclave's processes may hold together, in MiB; over it the kernel kills them. */
  memoryMib?: number;
  /** Its share of CPU time against the others when they compete: 1–10000, 100 being an ordinary process's. */
  cpuWeight?: number;
}

export interface ResourceUsage {
  cgroup: "v1" | "v2";
  /** The most memory its processes held at once (v1: including their page cache). */
  peakMemoryBytes: number;
  /** CPU time of all its processes, user and system. */
  cpuTimeNs: number;
  /** How often the kernel's OOM killer killed one of its processes for the limit. */
  oomKills: number;
  memoryLimitMib?: number;
  cpuWeight?: number;
}

export function hasLimits(limits: ResourceLimits | undefined): limits is ResourceLimits {
  return limits !== undefined && (limits.memoryMib !== undefined || limits.cpuWeight !== undefined);
}
