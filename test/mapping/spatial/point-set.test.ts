import assert from "node:assert/strict";
import { test } from "node:test";
import { MappingError } from "../../../src/mapping/mapping-error.ts";
import {
  coordinate,
  interleavedCoordinates,
  pointSetFromAxes,
  pointSetFromInterleaved,
  pointSetFromMetadata,
  validateTransferMeshes,
  withLayout,
  xyzCoordinates,
} from "../../../src/mapping/spatial/point-set.ts";

test("structure-of-arrays and interleaved point sets give the same coordinates", () => {
  const soa = pointSetFromAxes([
    [0, 1, 2],
    [10, 11, 12],
    [20, 21, 22],
  ]);
  const interleaved = pointSetFromInterleaved(3, [0, 10, 20, 1, 11, 21, 2, 12, 22]);
  assert.equal(soa.layout, "soa");
  assert.equal(interleaved.layout, "interleaved");
  for (let index = 0; index < 3; index++) {
    for (let axis = 0; axis < 3; axis++) {
      assert.equal(coordinate(soa, index, axis), coordinate(interleaved, index, axis));
    }
  }
  assert.deepEqual(withLayout(soa, "interleaved").coordinates, interleaved.coordinates);
  assert.deepEqual(withLayout(interleaved, "soa").coordinates, soa.coordinates);
  assert.deepEqual(interleavedCoordinates(soa), interleaved.coordinates);
  assert.deepEqual([...xyzCoordinates(pointSetFromInterleaved(2, [1, 2, 3, 4]))], [1, 2, 0, 3, 4, 0]);
});

test("a point set from metadata wraps a view on shared memory without copying", () => {
  const shared = new Float64Array(new SharedArrayBuffer(8 * 10));
  const view = shared.subarray(2, 8);
  const points = pointSetFromMetadata({ dimension: 2, count: 3, layout: "soa" }, view);
  shared[2] = 0.5;
  assert.equal(coordinate(points, 0, 0), 0.5);
  assert.equal(points.coordinates.buffer, shared.buffer);
});

test("errors name the mesh, the point, the axis and the fix", () => {
  assert.throws(
    () => pointSetFromInterleaved(3, [], "source mesh"),
    (error: unknown) =>
      error instanceof MappingError &&
      /source mesh has no points; a transfer needs at least one point/.test(error.message),
  );
  assert.throws(
    () => pointSetFromInterleaved(2, [0, 0, 1, Number.NaN, 2, 2], "target mesh"),
    /target mesh: point 1 has NaN as its y coordinate; every coordinate must be a finite number/,
  );
  assert.throws(
    () =>
      pointSetFromAxes(
        [
          [0, 1],
          [0, Number.POSITIVE_INFINITY],
          [0, 0],
        ],
        "mesh A",
      ),
    /mesh A: point 1 has Infinity as its y coordinate/,
  );
  assert.throws(
    () => pointSetFromMetadata({ dimension: 3, count: 4, layout: "soa" }, new Float64Array(11)),
    /4 points in 3-D need 12 coordinates but the buffer holds 11/,
  );
  assert.throws(
    () => pointSetFromMetadata({ dimension: 4, count: 1, layout: "soa" }, new Float64Array(4)),
    /dimension 4 is not supported; the mesh metadata must say 1, 2 or 3/,
  );
  assert.throws(
    () => pointSetFromMetadata({ dimension: 2, count: 1, layout: "aos" }, new Float64Array(2)),
    /layout "aos" is unknown; the mesh metadata must say "soa" or "interleaved"/,
  );
  assert.throws(() => pointSetFromAxes([[0, 1], [0]]), /the y array has 1 values but x has 2/);
  assert.throws(
    () => validateTransferMeshes(pointSetFromInterleaved(3, [0, 0, 0]), pointSetFromInterleaved(2, [0, 0])),
    /source mesh is 3-D but target mesh is 2-D; both meshes of a transfer need the same number of coordinates/,
  );
});
