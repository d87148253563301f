// The Slurm allocation this process runs in (salloc, sbatch, srun), read from
// the variables Slurm sets: the job, how many nodes, and their host names. The
// node list is in Slurm's hostlist form ("node[1-3,7]"); Slurm's own scontrol
// expands it, as every Slurm tool does, rather than a second parser here.
import { spawnSync } from "node:child_process";

export interface SlurmAllocation {
  jobId: string;
  /** The allocation's node count (SLURM_JOB_NUM_NODES). */
  nodeCount: number;
  /** SLURM_JOB_NODELIST as Slurm wrote it. */
  nodeList: string;
}

/** The allocation of `environment`, or undefined outside one. */
export function slurmAllocation(environment: NodeJS.ProcessEnv = process.env): SlurmAllocation | undefined {
  const jobId = environment.SLURM_JOB_ID ?? environment.SLURM_JOBID;
  const nodeList = environment.SLURM_JOB_NODELIST ?? environment.SLURM_NODELIST;
  if (jobId === undefined || jobId === "" || nodeList === undefined || nodeList === "") return undefined;
  const count = Number(environment.SLURM_JOB_NUM_NODES ?? environment.SLURM_NNODES);
  return { jobId, nodeList, nodeCount: Number.isInteger(count) && count > 0 ? count : 1 };
}

/** The allocation's host names, in Slurm's order (the first is where the batch script runs). */
export function allocationHosts(allocation: SlurmAllocation): string[] {
  const expanded = spawnSync("scontrol", ["show", "hostnames", allocation.nodeList], { encoding: "utf8" });
  if (expanded.status !== 0) {
    throw new Error(
      `scontrol show hostnames ${allocation.nodeList} failed (${expanded.error?.message ?? expanded.stderr.trim()}): Slurm's client tools (Debian slurm-client) must be on PATH inside the allocation`,
    );
  }
  return expanded.stdout.split("\n").filter((host) => host !== "");
}
