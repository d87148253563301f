// Observed order of convergence of a transfer under refinement (not a test
// file): map a smooth field from regular grids of growing resolution onto
// fixed points inside the domain and compare the errors.
import { createOperator } from "../../src/mapping/operators/create-operator.ts";
import type { TransferSpec } from "../../src/mapping/operators/transfer-spec.ts";
import { pointSetFromInterleaved } from "../../src/mapping/spatial/point-set.ts";
import { gridPoints, randomPoints, sample } from "./random-points.ts";

export const smooth2d = (x: number, y: number): number => Math.sin(2 * x + 1) * Math.cos(3 * y);

/** Maximum errors on 2-D grids of 9², 17², 33², 65² points (spacing halving), and the orders between them. */
export function observedOrders(spec: TransferSpec): { errors: number[]; orders: number[] } {
  const random = randomPoints(2, 200, 9);
  const inside = pointSetFromInterleaved(
    2,
    Array.from(random.coordinates, (value) => 0.2 + 0.6 * value),
  );
  const exact = sample(inside, smooth2d);
  const errors = [9, 17, 33, 65].map((perAxis) => {
    const grid = gridPoints(2, perAxis);
    const mapped = new Float64Array(inside.count);
    createOperator(grid, inside, spec).apply(sample(grid, smooth2d), mapped);
    let worst = 0;
    for (let index = 0; index < mapped.length; index++) {
      worst = Math.max(worst, Math.abs((mapped[index] as number) - (exact[index] as number)));
    }
    return worst;
  });
  const orders = errors.slice(1).map((error, index) => Math.log2((errors[index] as number) / error));
  return { errors, orders };
}
