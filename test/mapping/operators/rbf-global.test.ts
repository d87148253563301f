import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { KernelName } from "../../../src/mapping/kernels/radial-kernel.ts";
import { MappingError } from "../../../src/mapping/mapping-error.ts";
import { setupGlobalRbf } from "../../../src/mapping/operators/rbf-global.ts";
import { pointSetFromInterleaved } from "../../../src/mapping/spatial/point-set.ts";
import { seededRandom } from "../../support/seeded-random.ts";
import { heapGrowthPerApply } from "../apply-allocation.ts";
import { observedOrders } from "../convergence.ts";
import { maxAbsDifference, randomPoints, sample, sum, toSoa } from "../random-points.ts";

const linear = (x: number, y: number, z: number) => 1 + 2 * x - 3 * y + 0.5 * z;
const smooth = (x: number, y: number, z: number) => Math.sin(3 * x) * Math.cos(2 * y) + z * z;

const KERNELS: [KernelName, number | undefined][] = [
  ["wendland-c0", 0.4],
  ["wendland-c2", 0.4],
  ["wendland-c4", 0.4],
  ["wendland-c6", 0.4],
  ["gaussian", 0.05],
  ["tps", undefined],
];

function relative(mapped: Float64Array, exact: Float64Array): number {
  return maxAbsDifference(mapped, exact) / Math.max(...exact.map(Math.abs));
}

describe("global RBF reproduces constant and linear fields to ~1e-12 (polynomial augmentation)", () => {
  for (const [kernel, radius] of KERNELS) {
    test(kernel, () => {
      for (const dimension of [2, 3] as const) {
        const source = randomPoints(dimension, 600, 30 + dimension);
        const target = randomPoints(dimension, 300, 40 + dimension);
        const operator = setupGlobalRbf(source, target, { kernel, ...(radius !== undefined && { radius }) });
        const mapped = new Float64Array(300);
        for (const f of [() => -7.5, linear]) {
          operator.apply(sample(source, f), mapped);
          assert.ok(
            relative(mapped, sample(target, f)) < 1e-12,
            `${dimension}-D ${relative(mapped, sample(target, f))}`,
          );
        }
        // At its own points an RBF interpolant is exact for any field.
        const self = setupGlobalRbf(source, source, { kernel, ...(radius !== undefined && { radius }) });
        const own = new Float64Array(600);
        self.apply(sample(source, smooth), own);
        assert.ok(relative(own, sample(source, smooth)) < 1e-9);
      }
    });
  }
});

test("global RBF on coplanar points (a dead axis) still reproduces linear fields in their plane", () => {
  const random = seededRandom(6);
  const plane = (count: number) =>
    pointSetFromInterleaved(
      3,
      Array.from({ length: count }, () => {
        const u = random();
        const v = random();
        return [u, v, 0.25];
      }).flat(),
    );
  const source = plane(400);
  const target = plane(100);
  for (const [kernel, radius] of [
    ["wendland-c2", 0.4],
    ["tps", undefined],
  ] as const) {
    const mapped = new Float64Array(100);
    setupGlobalRbf(source, target, { kernel, ...(radius !== undefined && { radius }) }).apply(
      sample(source, linear),
      mapped,
    );
    assert.ok(relative(mapped, sample(target, linear)) < 1e-12, kernel);
  }
});

test("conservative global RBF preserves the sum of the field to 1e-12", () => {
  const source = randomPoints(3, 500, 7);
  const target = randomPoints(3, 800, 8);
  const field = sample(source, smooth);
  for (const [kernel, radius] of KERNELS) {
    const mapped = new Float64Array(800);
    setupGlobalRbf(source, target, { kernel, conservative: true, ...(radius !== undefined && { radius }) }).apply(
      field,
      mapped,
    );
    assert.ok(Math.abs(sum(mapped) - sum(field)) < 1e-12 * Math.abs(sum(field)), kernel);
  }
});

test("global RBF gives the same result on structure-of-arrays and interleaved layouts", () => {
  const source = randomPoints(3, 400, 1);
  const target = randomPoints(3, 200, 2);
  const field = sample(source, smooth);
  for (const kernel of ["wendland-c2", "tps"] as const) {
    const a = new Float64Array(200);
    const b = new Float64Array(200);
    setupGlobalRbf(source, target, { kernel, radius: 0.5 }).apply(field, a);
    setupGlobalRbf(toSoa(source), toSoa(target), { kernel, radius: 0.5 }).apply(field, b);
    assert.ok(maxAbsDifference(a, b) < 1e-12, kernel);
  }
});

test("global RBF converges fast under refinement on a smooth field", () => {
  for (const spec of [
    { method: "rbf", kernel: "tps" },
    { method: "rbf", kernel: "wendland-c2", radius: 0.5 },
  ] as const) {
    const { errors, orders } = observedOrders(spec);
    assert.ok((errors[3] as number) < 1e-5, `${spec.kernel}: ${errors}`);
    for (const order of orders) assert.ok(order > 2.5, `${spec.kernel}: orders ${orders}`);
  }
});

test("global RBF apply allocates nothing", async () => {
  const source = randomPoints(3, 100, 1);
  const target = randomPoints(3, 80, 2);
  for (const conservative of [false, true]) {
    for (const kernel of ["wendland-c2", "tps"] as const) {
      const growth = await heapGrowthPerApply(setupGlobalRbf(source, target, { kernel, radius: 0.3, conservative }));
      assert.ok(growth < 12, `${kernel}: heap grew ${growth} bytes per apply`);
    }
  }
});

test("global RBF errors say what to change", () => {
  const source = randomPoints(3, 50, 1);
  assert.throws(
    () => setupGlobalRbf(source, source, { kernel: "wendland-c2" }),
    /kernel wendland-c2 needs a radius \(its support radius\) > 0/,
  );
  // A Gaussian much wider than the spacing is numerically singular.
  assert.throws(
    () => setupGlobalRbf(source, source, { kernel: "gaussian", radius: 50 }),
    (error: unknown) =>
      error instanceof MappingError && /not positive definite at row \d+.*try a smaller radius/.test(error.message),
  );
  const duplicate = pointSetFromInterleaved(2, [0, 0, 1, 0, 1, 0, 0, 1]);
  assert.throws(
    () => setupGlobalRbf(duplicate, duplicate, { kernel: "wendland-c2", radius: 3 }),
    /duplicate coordinates/,
  );
  const large = randomPoints(3, 5001, 2);
  assert.throws(
    () => setupGlobalRbf(large, source, { kernel: "tps" }),
    /a global tps system on 5001 points is dense and O\(n³\) to set up \(limit 5,000 points\); use rbf-pu/,
  );
});
