// One entry point from a plain spec to a ready operator, for the coupling
// driver, the composition file and the CLI: validate the spec, then set up.

import type { PointSet } from "../spatial/point-set.ts";
import { setupMovingLeastSquares } from "./moving-least-squares.ts";
import { setupNearestNeighbour } from "./nearest-neighbour.ts";
import { checkThreads } from "./operator-threads.ts";
import { setupGlobalRbf } from "./rbf-global.ts";
import { setupRbfPartitionOfUnity } from "./rbf-partition-of-unity.ts";
import type { TransferOperator } from "./transfer-operator.ts";
import { parseTransferSpec, type TransferSpec } from "./transfer-spec.ts";

/** How an operator runs, beside what it computes (the spec). */
export interface OperatorRunOptions {
  /**
   * Threads of setup and apply, the calling thread's included (default 1).
   * Above 1, setup runs across a team of worker threads started the first
   * time that many are asked for and reused after (nearest, rbf-pu), and the
   * native kernels share the work of factorizations (rbf) and of large
   * applies (nearest, rbf-pu). The operator is the same bit for bit whatever
   * the number.
   */
  threads?: number;
}

export function createOperator(
  source: PointSet,
  target: PointSet,
  spec: TransferSpec | unknown,
  options: OperatorRunOptions = {},
): TransferOperator {
  const valid = parseTransferSpec(spec);
  const conservative = valid.conservative === true;
  const threads = checkThreads(options.threads);
  switch (valid.method) {
    case "nearest":
      return setupNearestNeighbour(source, target, { conservative, threads });
    case "mls":
      return setupMovingLeastSquares(source, target, {
        conservative,
        ...(valid.basis !== undefined && { basis: valid.basis }),
        ...(valid.radius !== undefined && { radius: valid.radius }),
        ...(valid.k !== undefined && { k: valid.k }),
      });
    case "rbf":
      return setupGlobalRbf(source, target, kernelOptions(valid, conservative, threads));
    case "rbf-pu":
      return setupRbfPartitionOfUnity(source, target, {
        ...kernelOptions(valid, conservative, threads),
        ...(valid.pointsPerPatch !== undefined && { pointsPerPatch: valid.pointsPerPatch }),
        ...(valid.patchOverlap !== undefined && { patchOverlap: valid.patchOverlap }),
      });
  }
}

/** What both kernel methods (rbf, rbf-pu) take: the direction, the threads, the kernel and its radius. */
function kernelOptions(valid: TransferSpec, conservative: boolean, threads: number) {
  return {
    conservative,
    threads,
    kernel: valid.kernel ?? "wendland-c2",
    ...(valid.radius !== undefined && { radius: valid.radius }),
  };
}
