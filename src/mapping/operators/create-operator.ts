// mapping/operators/ owns the transfer operators: the contract, the spec, nearest, MLS, global RBF, RBF-PU, the factory.
// It must not know meshes in segments or the driver; other folders reach it through mapping/index.ts.

// One entry point from a plain spec to a ready operator, for the coupling
// driver, the composition file and the CLI: validate the spec, then set up.

import type { PointSet } from "../spatial/point-set.ts";
import { setupMovingLeastSquares } from "./moving-least-squares.ts";
import { setupNearestNeighbour } from "./nearest-neighbour.ts";
import { setupGlobalRbf } from "./rbf-global.ts";
import { setupRbfPartitionOfUnity } from "./rbf-partition-of-unity.ts";
import type { TransferOperator } from "./transfer-operator.ts";
import { parseTransferSpec, type TransferSpec } from "./transfer-spec.ts";

export function createOperator(source: PointSet, target: PointSet, spec: TransferSpec | unknown): TransferOperator {
  const valid = parseTransferSpec(spec);
  const conservative = valid.conservative === true;
  switch (valid.method) {
    case "nearest":
      return setupNearestNeighbour(source, target, { conservative });
    case "mls":
      return setupMovingLeastSquares(source, target, {
        conservative,
        ...(valid.basis !== undefined && { basis: valid.basis }),
        ...(valid.radius !== undefined && { radius: valid.radius }),
        ...(valid.k !== undefined && { k: valid.k }),
      });
    case "rbf":
      return setupGlobalRbf(source, target, {
        conservative,
        kernel: valid.kernel ?? "wendland-c2",
        ...(valid.radius !== undefined && { radius: valid.radius }),
      });
    case "rbf-pu":
      return setupRbfPartitionOfUnity(source, target, {
        conservative,
        kernel: valid.kernel ?? "wendland-c2",
        ...(valid.radius !== undefined && { radius: valid.radius }),
        ...(valid.pointsPerPatch !== undefined && { pointsPerPatch: valid.pointsPerPatch }),
        ...(valid.patchOverlap !== undefined && { patchOverlap: valid.patchOverlap }),
      });
  }
}
