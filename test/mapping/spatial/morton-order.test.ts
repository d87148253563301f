import assert from "node:assert/strict";
import { test } from "node:test";
import { mortonOrder } from "../../../src/mapping/spatial/morton-order.ts";
import { pointSetFromInterleaved } from "../../../src/mapping/spatial/point-set.ts";
import { randomPoints } from "../random-points.ts";

function isPermutation(order: Int32Array, count: number): boolean {
  const seen = new Uint8Array(count);
  for (const index of order) {
    if (index < 0 || index >= count || seen[index]) return false;
    seen[index] = 1;
  }
  return order.length === count;
}

test("Morton order is a permutation that keeps consecutive points close", () => {
  for (const dimension of [1, 2, 3] as const) {
    for (const layout of ["soa", "interleaved"] as const) {
      const points = randomPoints(dimension, 5000, 11, layout);
      const order = mortonOrder(points);
      assert.ok(isPermutation(order, points.count));
      const xyz = (index: number, axis: number): number =>
        axis >= dimension
          ? 0
          : (points.coordinates[layout === "soa" ? axis * points.count + index : index * dimension + axis] as number);
      let ordered = 0;
      let unordered = 0;
      for (let step = 1; step < points.count; step++) {
        for (let axis = 0; axis < 3; axis++) {
          ordered += Math.abs(xyz(order[step] as number, axis) - xyz(order[step - 1] as number, axis));
          unordered += Math.abs(xyz(step, axis) - xyz(step - 1, axis));
        }
      }
      assert.ok(ordered < unordered / 5, `${dimension}-D ${layout}: ${ordered} vs ${unordered}`);
    }
  }
});

test("Morton order of a 1-D set sorts it; identical points keep their order", () => {
  const points = pointSetFromInterleaved(1, [0.3, -2, 5, 0.1]);
  assert.deepEqual([...mortonOrder(points)], [1, 3, 0, 2]);
  assert.deepEqual([...mortonOrder(pointSetFromInterleaved(2, [1, 1, 1, 1, 1, 1]))], [0, 1, 2]);
});
