import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { KdTree, NeighbourList } from "../../../src/mapping/spatial/kd-tree.ts";
import { type Dimension, pointSetFromInterleaved } from "../../../src/mapping/spatial/point-set.ts";
import { randomPoints } from "../random-points.ts";

function bruteDistances(coordinates: number[], dimension: number, query: number[]): number[] {
  const distances: number[] = [];
  for (let index = 0; index < coordinates.length / dimension; index++) {
    let sum = 0;
    for (let axis = 0; axis < dimension; axis++) {
      const d = (coordinates[index * dimension + axis] as number) - (query[axis] as number);
      sum += d * d;
    }
    distances.push(sum);
  }
  return distances;
}

// Small integer grids make duplicates and ties frequent, the cases a tree gets wrong.
const coordinateValue = fc.integer({ min: 0, max: 6 }).map((value) => value / 2);

function cloud(dimension: Dimension) {
  return fc.record({
    points: fc.array(fc.array(coordinateValue, { minLength: dimension, maxLength: dimension }), {
      minLength: 1,
      maxLength: 120,
    }),
    query: fc.array(
      fc.integer({ min: -2, max: 8 }).map((value) => value / 2 + 0.1),
      {
        minLength: dimension,
        maxLength: dimension,
      },
    ),
    k: fc.integer({ min: 1, max: 20 }),
    radius: fc.integer({ min: 0, max: 8 }).map((value) => value / 2),
    bucket: fc.integer({ min: 1, max: 9 }),
  });
}

for (const dimension of [1, 2, 3] as const) {
  describe(`k-d tree in ${dimension}-D agrees with brute force`, () => {
    test("nearest, k-nearest and radius queries (property, duplicates included)", () => {
      fc.assert(
        fc.property(cloud(dimension), ({ points, query, k, radius, bucket }) => {
          const flat = points.flat();
          const tree = KdTree.build(pointSetFromInterleaved(dimension, flat), bucket);
          const distances = bruteDistances(flat, dimension, query);
          const sorted = [...distances].sort((a, b) => a - b);
          const [x = 0, y = 0, z = 0] = query;

          const nearest = tree.nearest(x, y, z);
          assert.equal(distances[nearest], sorted[0]);
          assert.equal(tree.lastDistanceSquared, sorted[0]);

          const indices = new Int32Array(k);
          const found = new Float64Array(k);
          const count = tree.kNearest(x, y, z, k, indices, found);
          assert.equal(count, Math.min(k, points.length));
          assert.deepEqual([...found.subarray(0, count)], sorted.slice(0, count));
          assert.equal(new Set(indices.subarray(0, count)).size, count, "no point twice");
          for (let i = 0; i < count; i++) assert.equal(distances[indices[i] as number], found[i]);

          const list = new NeighbourList(2);
          tree.withinRadius(x, y, z, radius, list);
          const expected = distances.flatMap((d, index) => (d <= radius * radius ? [index] : []));
          assert.deepEqual(
            [...list.indices.subarray(0, list.count)].sort((a, b) => a - b),
            expected,
          );
        }),
        { numRuns: 300, seed: 42 + dimension },
      );
    });
  });
}

test("k-d tree on 20,000 random 3-D points: nearest and 12-nearest match brute force for 200 queries", () => {
  const points = randomPoints(3, 20_000, 7);
  const queries = randomPoints(3, 200, 8);
  const tree = KdTree.build(points);
  const indices = new Int32Array(12);
  const found = new Float64Array(12);
  const c = [...points.coordinates];
  for (let q = 0; q < queries.count; q++) {
    const query = [...queries.coordinates.subarray(3 * q, 3 * q + 3)];
    const distances = bruteDistances(c, 3, query);
    const sorted = [...distances].sort((a, b) => a - b);
    const [x = 0, y = 0, z = 0] = query;
    assert.equal(distances[tree.nearest(x, y, z)], sorted[0]);
    tree.kNearest(x, y, z, 12, indices, found);
    assert.deepEqual([...found], sorted.slice(0, 12));
  }
});

test("k-d tree holds every point once, whatever the layout", () => {
  const soa = randomPoints(2, 1000, 3, "soa");
  const tree = KdTree.build(soa);
  assert.deepEqual(
    [...tree.ids].sort((a, b) => a - b),
    Array.from({ length: 1000 }, (_, index) => index),
  );
  for (let index = 0; index < 1000; index += 97) {
    const x = soa.coordinates[index] as number;
    const y = soa.coordinates[1000 + index] as number;
    assert.equal(tree.nearest(x, y), index);
    assert.equal(tree.lastDistanceSquared, 0);
  }
});

test("k-d tree of identical points answers every query", () => {
  const tree = KdTree.build(pointSetFromInterleaved(3, new Array(3 * 500).fill(0.5)));
  const indices = new Int32Array(10);
  const distances = new Float64Array(10);
  assert.equal(tree.kNearest(0, 0, 0, 10, indices, distances), 10);
  assert.ok(distances.every((d) => d === 0.75));
  const list = new NeighbourList();
  assert.equal(tree.withinRadius(0.5, 0.5, 0.5, 0, list), 500);
});
