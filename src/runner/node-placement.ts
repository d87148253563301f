// Whether a composition's placement can run here: one node always; more only
// inside a Slurm allocation of at least that many nodes. A composition that
// needs more than it has is refused by name before anything starts, with the
// command that gives it what it needs.
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
      hint: `Run it inside one: \`salloc -N ${nodes} conflux run FILE\`, or \`conflux submit FILE\`, which writes and submits the batch job (docs/cluster.md).`,
    };
  }
  if (allocation.nodeCount < nodes) {
    return {
      ...at,
      message: `the run spans ${nodes} nodes, and Slurm job ${allocation.jobId} has ${allocation.nodeCount} (${allocation.nodeList})`,
      hint: `Allocate at least ${nodes}: \`salloc -N ${nodes}\`, or lower placement.nodes.`,
    };
  }
  return {
    ...at,
    message: `the run spans ${nodes} nodes, and this version of Conflux runs a composition on one node: placement across nodes is checked, not yet run`,
    hint: "Place every component on node 1 (leave placement out) to run it here; docs/cluster.md says what spanning nodes will take.",
  };
}
