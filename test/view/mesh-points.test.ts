// A mesh as the point view gets it: thinned evenly past the limit, in three dimensions whatever its own, each
// field's range over every point, and values that are not finite counted and left out of range and colour.
import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_SHOWN_POINTS, meshPoints } from "../../src/view/mesh-points.ts";

test("a 2-D interleaved mesh: every point shown in the plane z = 0, the field's range over all points", () => {
  const coordinates = new Float64Array([0, 1, 2, 3, 4, 5]);
  const points = meshPoints({ mesh: "A.m", dimension: 2, layout: "interleaved", count: 3, coordinates }, [
    ["t", new Float64Array([5, -1, 2])],
  ]);
  assert.equal(points.shown, 3);
  assert.deepEqual(points.positions, [0, 1, 0, 2, 3, 0, 4, 5, 0]);
  assert.deepEqual(points.fields, [{ field: "t", values: [5, -1, 2], min: -1, max: 5, nonFinite: 0 }]);
});

test("a 3-D mesh in soa layout past the limit: every k-th point, the range still over all of them", () => {
  const count = MAX_SHOWN_POINTS * 2 + 1;
  const coordinates = new Float64Array(count * 3);
  const values = new Float64Array(count);
  for (let point = 0; point < count; point++) {
    coordinates[point] = point;
    coordinates[count + point] = -point;
    coordinates[2 * count + point] = 2 * point;
    values[point] = point;
  }
  const points = meshPoints({ mesh: "B.m", dimension: 3, layout: "soa", count, coordinates }, [["v", values]]);
  // A stride of 3 keeps the shape: points 0, 3, 6, …
  assert.equal(points.shown, Math.ceil(count / 3));
  assert.ok(points.shown <= MAX_SHOWN_POINTS);
  assert.deepEqual(points.positions.slice(0, 6), [0, -0, 0, 3, -3, 6]);
  assert.equal(points.fields[0]?.values[1], 3);
  assert.equal(points.fields[0]?.min, 0);
  assert.equal(points.fields[0]?.max, count - 1, "the last point is not shown, its value still bounds the range");
});

test("values that are not finite are counted, shown as gaps, and bound no range; a field of nothing else has none", () => {
  const coordinates = new Float64Array([0, Number.NaN, 2]);
  const points = meshPoints({ mesh: "C.m", dimension: 1, layout: "soa", count: 3, coordinates }, [
    ["a", new Float64Array([1, Number.NaN, Number.POSITIVE_INFINITY])],
    ["b", new Float64Array([Number.NaN, Number.NaN, Number.NaN])],
  ]);
  // A coordinate that is not finite puts its point at the origin of that axis rather than nowhere.
  assert.deepEqual(points.positions, [0, 0, 0, 0, 0, 0, 2, 0, 0]);
  assert.deepEqual(points.fields[0], { field: "a", values: [1, null, null], min: 1, max: 1, nonFinite: 2 });
  assert.deepEqual(points.fields[1], { field: "b", values: [null, null, null], min: null, max: null, nonFinite: 3 });
  // And the state survives JSON, as the page reads it.
  assert.deepEqual(JSON.parse(JSON.stringify(points)), points);
});
