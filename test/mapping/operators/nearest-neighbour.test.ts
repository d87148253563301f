import assert from "node:assert/strict";
import { test } from "node:test";
import { MappingError } from "../../../src/mapping/mapping-error.ts";
import { setupNearestNeighbour } from "../../../src/mapping/operators/nearest-neighbour.ts";
import { heapGrowthPerApply } from "../apply-allocation.ts";
import { randomPoints, sample, sum, toSoa } from "../random-points.ts";

test("nearest neighbour is exact on identical meshes, in 1-D, 2-D and 3-D", () => {
  for (const dimension of [1, 2, 3] as const) {
    const mesh = randomPoints(dimension, 2000, dimension);
    const operator = setupNearestNeighbour(mesh, toSoa(mesh));
    const field = sample(mesh, (x, y, z) => Math.sin(7 * x) + y * z);
    const target = new Float64Array(mesh.count);
    operator.apply(field, target);
    assert.deepEqual(target, field);
  }
});

test("nearest neighbour gives the same result on structure-of-arrays and interleaved layouts", () => {
  const source = randomPoints(3, 3000, 1);
  const target = randomPoints(3, 1000, 2);
  const field = sample(source, (x, y, z) => x - 2 * y + z * z);
  const interleaved = new Float64Array(1000);
  const soa = new Float64Array(1000);
  setupNearestNeighbour(source, target).apply(field, interleaved);
  setupNearestNeighbour(toSoa(source), toSoa(target)).apply(field, soa);
  assert.deepEqual(soa, interleaved);
  // Each value is the value of the truly nearest source point (checked by brute force on a sample).
  for (let t = 0; t < 1000; t += 37) {
    let best = Number.POSITIVE_INFINITY;
    let bestValue = 0;
    for (let s = 0; s < 3000; s++) {
      let d = 0;
      for (let axis = 0; axis < 3; axis++)
        d += ((source.coordinates[3 * s + axis] as number) - (target.coordinates[3 * t + axis] as number)) ** 2;
      if (d < best) {
        best = d;
        bestValue = field[s] as number;
      }
    }
    assert.equal(interleaved[t], bestValue);
  }
});

test("conservative nearest neighbour preserves the sum of the field", () => {
  const source = randomPoints(3, 3000, 5);
  const target = randomPoints(3, 700, 6);
  const operator = setupNearestNeighbour(source, target, { conservative: true });
  const field = sample(source, (x, y) => 1 + x * y);
  const mapped = new Float64Array(700);
  operator.apply(field, mapped);
  assert.ok(Math.abs(sum(mapped) - sum(field)) <= 1e-12 * Math.abs(sum(field)));
});

test("nearest-neighbour apply allocates nothing", async () => {
  const source = randomPoints(3, 200, 1);
  const target = randomPoints(3, 150, 2);
  for (const conservative of [false, true]) {
    const growth = await heapGrowthPerApply(setupNearestNeighbour(source, target, { conservative }));
    assert.ok(growth < 12, `heap grew ${growth} bytes per apply`);
  }
});

test("nearest neighbour refuses empty meshes, mismatched dimensions and NaN coordinates", () => {
  const mesh = randomPoints(3, 10, 1);
  const empty = { dimension: 3, count: 0, layout: "interleaved", coordinates: new Float64Array(0) } as const;
  assert.throws(
    () => setupNearestNeighbour(mesh, empty),
    (error: unknown) => error instanceof MappingError && /target mesh has no points/.test(error.message),
  );
  assert.throws(() => setupNearestNeighbour(mesh, randomPoints(2, 10, 1)), /source mesh is 3-D but target mesh is 2-D/);
  const broken = { ...mesh, coordinates: mesh.coordinates.slice() };
  broken.coordinates[3 * 4 + 2] = Number.NaN;
  assert.throws(() => setupNearestNeighbour(broken, mesh), /source mesh: point 4 has NaN as its z coordinate/);
});
