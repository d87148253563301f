import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MappingError } from "../../../src/mapping/mapping-error.ts";
import { setupMovingLeastSquares } from "../../../src/mapping/operators/moving-least-squares.ts";
import { pointSetFromInterleaved } from "../../../src/mapping/spatial/point-set.ts";
import { seededRandom } from "../../support/seeded-random.ts";
import { heapGrowthPerApply } from "../apply-allocation.ts";
import { observedOrders } from "../convergence.ts";
import { maxAbsDifference, randomPoints, sample, sum, toSoa } from "../random-points.ts";

const constant = () => 3.25;
const linear = (x: number, y: number, z: number) => 1 + 2 * x - 3 * y + 0.5 * z;
const quadratic = (x: number, y: number, z: number) => linear(x, y, z) + x * x - 2 * x * y + y * z + 0.7 * z * z;

function relativeError(
  options: Parameters<typeof setupMovingLeastSquares>[2],
  f: (x: number, y: number, z: number) => number,
  dimension: 1 | 2 | 3,
): number {
  const source = randomPoints(dimension, 1500, 10 + dimension);
  const target = randomPoints(dimension, 500, 20 + dimension);
  const mapped = new Float64Array(target.count);
  setupMovingLeastSquares(source, target, options).apply(sample(source, f), mapped);
  const exact = sample(target, f);
  return maxAbsDifference(mapped, exact) / Math.max(...exact.map(Math.abs));
}

describe("MLS reproduces the polynomials of its basis to ~1e-12", () => {
  for (const dimension of [1, 2, 3] as const) {
    test(`${dimension}-D, k nearest and radius`, () => {
      // Radii that give every target point enough neighbours to determine a quadratic, corners included.
      for (const neighbours of [{}, { k: 15 }, { radius: dimension === 1 ? 0.02 : dimension === 2 ? 0.12 : 0.35 }]) {
        assert.ok(relativeError({ ...neighbours }, constant, dimension) < 1e-12);
        assert.ok(relativeError({ ...neighbours }, linear, dimension) < 1e-12);
        assert.ok(relativeError({ ...neighbours, basis: "quadratic" }, linear, dimension) < 1e-12);
        assert.ok(relativeError({ ...neighbours, basis: "quadratic" }, quadratic, dimension) < 1e-11);
      }
    });
  }
});

test("MLS on coplanar and collinear neighbourhoods still reproduces linear fields along them (pseudo-inverse)", () => {
  const random = seededRandom(4);
  // 3-D points on a tilted plane, and targets on the same plane.
  const onPlane = (count: number) =>
    pointSetFromInterleaved(
      3,
      Array.from({ length: count }, () => {
        const u = random();
        const v = random();
        return [u, v, 0.3 + 0.2 * u - 0.4 * v];
      }).flat(),
    );
  const plane = onPlane(800);
  const planeTargets = onPlane(200);
  for (const basis of ["linear", "quadratic"] as const) {
    const mapped = new Float64Array(200);
    setupMovingLeastSquares(plane, planeTargets, { basis }).apply(sample(plane, linear), mapped);
    const exact = sample(planeTargets, linear);
    assert.ok(maxAbsDifference(mapped, exact) < 1e-11 * Math.max(...exact.map(Math.abs)), basis);
  }
  // 2-D points on a line.
  const onLine = (count: number) =>
    pointSetFromInterleaved(
      2,
      Array.from({ length: count }, () => {
        const t = random();
        return [t, 1 - 2 * t];
      }).flat(),
    );
  const line = onLine(300);
  const lineTargets = onLine(50);
  const mapped = new Float64Array(50);
  setupMovingLeastSquares(line, lineTargets).apply(sample(line, linear), mapped);
  assert.ok(maxAbsDifference(mapped, sample(lineTargets, linear)) < 1e-11);
});

test("MLS gives the same result on structure-of-arrays and interleaved layouts", () => {
  const source = randomPoints(3, 2000, 1);
  const target = randomPoints(3, 300, 2);
  const field = sample(source, (x, y, z) => Math.sin(3 * x) * y + z);
  const a = new Float64Array(300);
  const b = new Float64Array(300);
  setupMovingLeastSquares(source, target, { basis: "quadratic" }).apply(field, a);
  setupMovingLeastSquares(toSoa(source), toSoa(target), { basis: "quadratic" }).apply(field, b);
  assert.ok(maxAbsDifference(a, b) < 1e-14);
});

test("MLS converges at order 2 (linear basis) and 3 (quadratic basis) on a smooth field", () => {
  const linearOrders = observedOrders({ method: "mls" }).orders;
  const quadraticOrders = observedOrders({ method: "mls", basis: "quadratic" }).orders;
  for (const order of linearOrders) assert.ok(order > 1.7 && order < 2.5, `linear: ${linearOrders}`);
  for (const order of quadraticOrders) assert.ok(order > 2.7, `quadratic: ${quadraticOrders}`);
});

test("conservative MLS preserves the sum of the field to 1e-12", () => {
  const source = randomPoints(3, 1000, 3);
  const target = randomPoints(3, 2500, 4);
  const field = sample(source, (x, y, z) => 2 + Math.cos(5 * x) * y - z);
  for (const basis of ["linear", "quadratic"] as const) {
    const mapped = new Float64Array(target.count);
    const operator = setupMovingLeastSquares(source, target, { basis, conservative: true });
    assert.equal(operator.conservative, true);
    operator.apply(field, mapped);
    assert.ok(Math.abs(sum(mapped) - sum(field)) < 1e-12 * Math.abs(sum(field)), basis);
  }
});

test("MLS apply allocates nothing", async () => {
  const operator = setupMovingLeastSquares(randomPoints(3, 200, 1), randomPoints(3, 150, 2), { basis: "quadratic" });
  const growth = await heapGrowthPerApply(operator);
  assert.ok(growth < 12, `heap grew ${growth} bytes per apply`);
});

test("a radius that leaves a target point with no neighbours is an error that names the point and the fix", () => {
  const source = pointSetFromInterleaved(2, [0, 0, 1, 0, 0, 1]);
  const target = pointSetFromInterleaved(2, [0.1, 0.1, 5, 5]);
  assert.throws(
    () => setupMovingLeastSquares(source, target, { radius: 0.5 }),
    (error: unknown) =>
      error instanceof MappingError &&
      /target point 1 at \(5, 5\) has no source point closer than the MLS radius 0.5 \(the nearest is 6\.40\d* away\); increase the radius/.test(
        error.message,
      ),
  );
  assert.throws(
    () => setupMovingLeastSquares(source, target, { radius: 1, k: 3 }),
    /either a radius or k nearest neighbours, not both/,
  );
  assert.throws(() => setupMovingLeastSquares(source, target, { k: 0 }), /k must be a whole number ≥ 1/);
  assert.throws(() => setupMovingLeastSquares(source, target, { radius: -1 }), /radius must be a distance > 0/);
});
