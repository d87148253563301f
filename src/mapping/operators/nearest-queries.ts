// Nearest-point queries for every point of a mesh, visited along its Morton
// curve, each query starting from its predecessor's answer (which prunes most
// of the tree). The visit goes in chunks of QUERY_CHUNK points, the first of
// each without a start: a chunk's answers then depend on nothing outside it,
// so threads given different chunks find exactly what one thread finds, ties
// included.
// The queries run in the addon (native/kd-tree.cc, the same search step for
// step) unless the TypeScript backend is chosen.
import { nativeKernels, numericBackend } from "../numeric-backend.ts";
import type { KdTree } from "../spatial/kd-tree.ts";
import type { PointSet } from "../spatial/point-set.ts";

export const QUERY_CHUNK = 4096;

export function queryChunks(count: number): number {
  return Math.ceil(count / QUERY_CHUNK);
}

/** partners[point] = the tree's index nearest to `point` of `from`, for the points of chunks [firstChunk, endChunk) of `order`. */
export function queryNearest(
  tree: KdTree,
  from: PointSet,
  order: Int32Array,
  partners: Int32Array,
  firstChunk: number,
  endChunk: number,
): void {
  const { coordinates, dimension, count, layout } = from;
  const axisStride = layout === "soa" ? count : 1;
  const pointStride = layout === "soa" ? 1 : dimension;
  if (numericBackend() === "native") {
    const { ids, splitAxes } = tree.arrays;
    nativeKernels.kdTreeNearest(
      tree.coordinates,
      ids,
      splitAxes,
      tree.bucketSize,
      coordinates,
      dimension,
      pointStride,
      axisStride,
      order,
      partners,
      firstChunk,
      endChunk,
      QUERY_CHUNK,
    );
    return;
  }
  for (let chunk = firstChunk; chunk < endChunk; chunk++) {
    let hint = -1;
    const end = Math.min(count, (chunk + 1) * QUERY_CHUNK);
    for (let step = chunk * QUERY_CHUNK; step < end; step++) {
      const point = order[step] as number;
      const base = point * pointStride;
      const x = coordinates[base] as number;
      const y = dimension > 1 ? (coordinates[base + axisStride] as number) : 0;
      const z = dimension > 2 ? (coordinates[base + 2 * axisStride] as number) : 0;
      partners[point] = tree.nearest(x, y, z, hint);
      hint = tree.lastPosition;
    }
  }
}
