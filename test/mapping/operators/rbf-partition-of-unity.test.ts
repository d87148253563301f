import assert from "node:assert/strict";
import { test } from "node:test";
import { setupRbfPartitionOfUnity } from "../../../src/mapping/operators/rbf-partition-of-unity.ts";
import { pointSetFromInterleaved } from "../../../src/mapping/spatial/point-set.ts";
import { seededRandom } from "../../support/seeded-random.ts";
import { heapGrowthPerApply } from "../apply-allocation.ts";
import { observedOrders } from "../convergence.ts";
import { maxAbsDifference, randomPoints, sample, sum, toSoa } from "../random-points.ts";

const linear = (x: number, y: number, z: number) => -2 + 0.5 * x + 4 * y - z;
const smooth = (x: number, y: number, z: number) => Math.sin(3 * x) * Math.cos(2 * y) + z * z;

function relative(mapped: Float64Array, exact: Float64Array): number {
  return maxAbsDifference(mapped, exact) / Math.max(...exact.map(Math.abs));
}

test("RBF-PU reproduces constant and linear fields to 1e-12 (polynomial augmentation per patch)", () => {
  for (const dimension of [1, 2, 3] as const) {
    const source = randomPoints(dimension, 3000, 50 + dimension);
    const target = randomPoints(dimension, 1000, 60 + dimension);
    // Supports a few patch sizes wide: much wider ones make the patch matrices numerically singular.
    const support = [0.05, 0.15, 0.3][dimension - 1] as number;
    const kernels = [
      ["wendland-c2", support],
      ["wendland-c6", support],
      ["gaussian", support / 3],
      ["tps", undefined],
    ] as const;
    for (const [kernel, radius] of kernels) {
      const operator = setupRbfPartitionOfUnity(source, target, { kernel, ...(radius !== undefined && { radius }) });
      const mapped = new Float64Array(target.count);
      for (const f of [() => 0.75, linear]) {
        operator.apply(sample(source, f), mapped);
        const error = relative(mapped, sample(target, f));
        assert.ok(error < 1e-12, `${dimension}-D ${kernel}: ${error}`);
      }
    }
  }
});

test("RBF-PU covers target points outside the source mesh and on a surface in 3-D", () => {
  const random = seededRandom(9);
  // Points on a sphere: a 2-D surface in 3-D, with targets slightly off it.
  const sphere = (count: number, radius: number) =>
    pointSetFromInterleaved(
      3,
      Array.from({ length: count }, () => {
        const z = 2 * random() - 1;
        const angle = 2 * Math.PI * random();
        const r = Math.sqrt(1 - z * z);
        return [radius * r * Math.cos(angle), radius * r * Math.sin(angle), radius * z];
      }).flat(),
    );
  const source = sphere(2000, 1);
  const target = sphere(500, 1.02);
  const mapped = new Float64Array(500);
  setupRbfPartitionOfUnity(source, target, { radius: 0.5 }).apply(sample(source, linear), mapped);
  assert.ok(relative(mapped, sample(target, linear)) < 1e-11);
  // Targets far beyond the source mesh still get a value (from the nearest patch polynomials).
  const far = pointSetFromInterleaved(3, [3, 3, 3, -2, 0, 0]);
  const out = new Float64Array(2);
  setupRbfPartitionOfUnity(source, far, { radius: 0.5 }).apply(sample(source, linear), out);
  assert.ok(relative(out, sample(far, linear)) < 1e-9);
});

test("conservative RBF-PU preserves the sum of the field to 1e-12", () => {
  const source = randomPoints(3, 2000, 3);
  const target = randomPoints(3, 3000, 4);
  const field = sample(source, smooth);
  const mapped = new Float64Array(3000);
  setupRbfPartitionOfUnity(source, target, { radius: 0.3, conservative: true }).apply(field, mapped);
  assert.ok(Math.abs(sum(mapped) - sum(field)) < 1e-12 * Math.abs(sum(field)));
});

test("RBF-PU gives the same result on structure-of-arrays and interleaved layouts", () => {
  const source = randomPoints(3, 1500, 1);
  const target = randomPoints(3, 500, 2);
  const field = sample(source, smooth);
  const a = new Float64Array(500);
  const b = new Float64Array(500);
  setupRbfPartitionOfUnity(source, target, { radius: 0.3 }).apply(field, a);
  setupRbfPartitionOfUnity(toSoa(source), toSoa(target), { radius: 0.3 }).apply(field, b);
  assert.ok(maxAbsDifference(a, b) < 1e-13);
});

test("RBF-PU converges under refinement on a smooth field", () => {
  const { errors, orders } = observedOrders({ method: "rbf-pu", kernel: "wendland-c2", radius: 0.5 });
  assert.ok((errors[3] as number) < 1e-4, `errors ${errors}`);
  for (const order of orders) assert.ok(order > 2, `orders ${orders}`);
});

test("RBF-PU apply allocates nothing", async () => {
  const operator = setupRbfPartitionOfUnity(randomPoints(3, 200, 1), randomPoints(3, 150, 2), { radius: 0.3 });
  const growth = await heapGrowthPerApply(operator);
  assert.ok(growth < 12, `heap grew ${growth} bytes per apply`);
});

test("RBF-PU options are checked", () => {
  const points = randomPoints(2, 20, 1);
  assert.throws(() => setupRbfPartitionOfUnity(points, points, {}), /kernel wendland-c2 needs a radius/);
  assert.throws(
    () => setupRbfPartitionOfUnity(points, points, { radius: 1, pointsPerPatch: 0 }),
    /pointsPerPatch must be a whole number ≥ 1/,
  );
  assert.throws(
    () => setupRbfPartitionOfUnity(points, points, { radius: 1, patchOverlap: 1 }),
    /patchOverlap must be in \[0, 1\)/,
  );
});

test("RBF-PU on a source mesh smaller than one patch still reproduces linear fields along it", () => {
  const source = pointSetFromInterleaved(2, [0, 0, 1, 1]);
  const target = pointSetFromInterleaved(2, [0.5, 0.5, 2, 2]);
  const mapped = new Float64Array(2);
  setupRbfPartitionOfUnity(source, target, { radius: 2 }).apply(Float64Array.from([1, 2]), mapped);
  assert.ok(Math.abs((mapped[0] as number) - 1.5) < 1e-12 && Math.abs((mapped[1] as number) - 3) < 1e-12, `${mapped}`);
});
