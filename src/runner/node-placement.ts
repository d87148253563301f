// Whether a composition's placement can run here: one node always; more only
// inside a Slurm allocation of at least that many nodes. A composition that
// needs more than it has is refused by name before anything starts, with the
// command that gives it what it needs. Where each component may run is the
// composition's own check (compose/placement-checks.ts), made by validate and
// by the parse that starts every run, each at its key.
import type { Composition } from "../compose/load.ts";
import type { Problem } from "../compose/problem.ts";
import { type SlurmAllocation, slurmAllocation } from "./slurm-allocation.ts";

/** What stops `composition` from running on the nodes this process has, or undefined when nothing does. */
export function placementProblem(
  composition: Composition,
  allocation: SlurmAllocation | undefined = slurmAllocation(),
): Problem | undefined {
  const nodes = composition.placement?.nodes ?? 1;
  if (nodes === 1) return undefined;
  const at = { file: composition.source, line: 0, column: 0, path: "placement.nodes" };
  if (allocation === undefined) {
    return {
      ...at,
      message: `the run spans ${nodes} nodes, and this is not a Slurm allocation (no SLURM_JOB_ID, SLURM_JOB_NODELIST)`,
      hint: `Run it inside one: \`conflux submit FILE\`, which writes and submits the batch job, or \`salloc -N ${nodes} srun -N1 -n1 conflux run FILE\` (docs/cluster.md).`,
    };
  }
  if (allocation.nodeCount < nodes) {
    return {
      ...at,
      message: `the run spans ${nodes} nodes, and Slurm job ${allocation.jobId} has ${allocation.nodeCount} (${allocation.nodeList})`,
      hint: `Allocate at least ${nodes}: \`salloc -N ${nodes}\`, or lower placement.nodes.`,
    };
  }
  return undefined;
}

/** The driver runs on the allocation's first node, where a batch script runs; anywhere else is refused by name. */
export function driverNodeProblem(
  composition: Composition,
  hosts: readonly string[],
  here: string,
): Problem | undefined {
  if (hosts[0] === here) return undefined;
  return {
    file: composition.source,
    line: 0,
    column: 0,
    path: "placement.nodes",
    message: `the driver runs on the allocation's first node, ${hosts[0]}, and this is ${here}`,
    hint: "Run it as a batch job (conflux submit FILE), or from an allocation's shell with `srun -N1 -n1 conflux run FILE`.",
  };
}
