// The patches of a partition-of-unity RBF operator, placed on a grid over the
// receiving points (see rbf-partition-of-unity.ts for the method). Patches are
// kept flat, in typed arrays (no object per patch), so that a list can live
// in shared memory and be read by the worker threads of a setup. The grid is
// placed in layers of cells along z: worker threads place ranges of layers,
// and their lists, joined in layer order, are the one list a single thread
// places.

import { float64Array, int32Array } from "../array-memory.ts";
import { wendlandC2 } from "../kernels/wendland.ts";
import { MappingError } from "../mapping-error.ts";
import { type KdTree, NeighbourList } from "../spatial/kd-tree.ts";

/** Patches p = 0 … count − 1: sources[sourceStarts[p] … sourceStarts[p + 1]) and likewise targets and their weights. */
export interface PatchList {
  count: number;
  sourceStarts: Int32Array;
  /** Source points (positions in the source mesh's Morton order). */
  sources: Int32Array;
  targetStarts: Int32Array;
  /** Receiving points strictly inside the patch (positions in the receiving mesh's Morton order). */
  targets: Int32Array;
  /** Their patch weights, not yet normalised. */
  targetWeights: Float64Array;
}

/** Where patch centres go: cells of a grid over the receiving points' bounding box. */
export interface PatchGrid {
  low: [number, number, number];
  step: [number, number, number];
  cells: [number, number, number];
  radius: number;
  pointsPerPatch: number;
  dimension: number;
}

/**
 * The patch radius: the median, over sample points, of the distance to the
 * pointsPerPatch-th nearest source point (samples taken evenly through the
 * mesh's own numbering).
 */
export function sampledPatchRadius(
  fromXyz: Float64Array,
  count: number,
  sourceTree: KdTree,
  pointsPerPatch: number,
  samples: number,
): number {
  const taken = Math.min(samples, count);
  const indices = new Int32Array(pointsPerPatch);
  const distances = new Float64Array(pointsPerPatch);
  const reach: number[] = [];
  for (let sample = 0; sample < taken; sample++) {
    const point = Math.floor((sample * count) / taken);
    const found = sourceTree.kNearest(
      fromXyz[3 * point] as number,
      fromXyz[3 * point + 1] as number,
      fromXyz[3 * point + 2] as number,
      pointsPerPatch,
      indices,
      distances,
    );
    reach.push(Math.sqrt(distances[found - 1] as number));
  }
  reach.sort((a, b) => a - b);
  return reach[Math.floor(reach.length / 2)] as number;
}

/** The grid of patch centres over the receiving points (x, y, z triples); see rbf-partition-of-unity.ts. */
export function patchGrid(
  toXyz: Float64Array,
  toCount: number,
  dimension: number,
  sampledRadius: number,
  pointsPerPatch: number,
  overlap: number,
): PatchGrid {
  const low: [number, number, number] = [0, 0, 0];
  const high: [number, number, number] = [0, 0, 0];
  for (let axis = 0; axis < 3; axis++) {
    let lowest = Number.POSITIVE_INFINITY;
    let highest = Number.NEGATIVE_INFINITY;
    for (let point = 0; point < toCount; point++) {
      const value = toXyz[3 * point + axis] as number;
      lowest = Math.min(lowest, value);
      highest = Math.max(highest, value);
    }
    low[axis] = lowest;
    high[axis] = highest;
  }
  const largestExtent = Math.max(...high.map((value, axis) => value - (low[axis] as number)));
  let radius = sampledRadius;
  // All source points in one place (or a single point): one patch radius covering the targets.
  if (!(radius > 0)) radius = largestExtent > 0 ? largestExtent : 1;
  const spacing = (2 * radius * (1 - overlap)) / Math.sqrt(dimension);
  const cells = high.map((value, axis) => Math.max(1, Math.ceil((value - (low[axis] as number)) / spacing))) as [
    number,
    number,
    number,
  ];
  if (cells[0] * cells[1] * cells[2] > 4 * toCount + 1_000_000) {
    throw new MappingError(
      `rbf-pu: patches of radius ${radius} would need ${cells[0] * cells[1] * cells[2]} grid cells to cover the target mesh; the meshes are far apart or very unevenly spread — map between meshes that overlap`,
    );
  }
  const step = cells.map((count, axis) => ((high[axis] as number) - (low[axis] as number)) / count) as [
    number,
    number,
    number,
  ];
  return { low, step, cells, radius, pointsPerPatch, dimension };
}

/** A growable typed array, for lists whose length is known only at the end. */
class Growing<T extends Int32Array | Float64Array> {
  length = 0;
  constructor(public values: T) {}

  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = new (this.values.constructor as new (length: number) => T)(2 * this.values.length);
      grown.set(this.values as never);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }
}

/** The patches of the grid's z-layers [firstLayer, endLayer), in grid order (z, then y, then x). */
export function placePatches(
  sourceTree: KdTree,
  toTree: KdTree,
  grid: PatchGrid,
  firstLayer: number,
  endLayer: number,
  shared: boolean,
): PatchList {
  const { low, step, cells, radius, pointsPerPatch, dimension } = grid;
  const [cellsX, cellsY] = cells;
  const covered = new NeighbourList(256);
  const inside = new NeighbourList(256);
  const nearestIndices = new Int32Array(pointsPerPatch);
  const nearestDistances = new Float64Array(pointsPerPatch);
  const sourceStarts = new Growing(new Int32Array(1024));
  const sources = new Growing(new Int32Array(16384));
  const targetStarts = new Growing(new Int32Array(1024));
  const targets = new Growing(new Int32Array(16384));
  const targetWeights = new Growing(new Float64Array(16384));
  sourceStarts.push(0);
  targetStarts.push(0);
  // Fewer than a quarter of the intended points (a patch at the edge of the
  // source mesh), or too few to determine a linear polynomial: take the nearest.
  const minimumSources = Math.min(pointsPerPatch, Math.max(Math.ceil(pointsPerPatch / 4), 2 * (dimension + 1)));
  for (let k = firstLayer; k < endLayer; k++) {
    for (let j = 0; j < cellsY; j++) {
      for (let i = 0; i < cellsX; i++) {
        const centerX = low[0] + (i + 0.5) * step[0];
        const centerY = low[1] + (j + 0.5) * step[1];
        const centerZ = low[2] + (k + 0.5) * step[2];
        if (toTree.withinRadius(centerX, centerY, centerZ, radius, covered) === 0) continue;
        let patchRadius = radius;
        if (sourceTree.withinRadius(centerX, centerY, centerZ, radius, inside) < minimumSources) {
          const found = sourceTree.kNearest(
            centerX,
            centerY,
            centerZ,
            pointsPerPatch,
            nearestIndices,
            nearestDistances,
          );
          // Just beyond the farthest of them, so that it is inside the patch.
          patchRadius = Math.max(radius, Math.sqrt(nearestDistances[found - 1] as number) * (1 + 1e-9));
          sourceTree.withinRadius(centerX, centerY, centerZ, patchRadius, inside);
          toTree.withinRadius(centerX, centerY, centerZ, patchRadius, covered);
        }
        const before = targets.length;
        for (let n = 0; n < covered.count; n++) {
          const weight = wendlandC2(Math.sqrt(covered.distancesSquared[n] as number) / patchRadius);
          if (!(weight > 0)) continue;
          targets.push(covered.indices[n] as number);
          targetWeights.push(weight);
        }
        if (targets.length === before) continue;
        for (let n = 0; n < inside.count; n++) sources.push(inside.indices[n] as number);
        sourceStarts.push(sources.length);
        targetStarts.push(targets.length);
      }
    }
  }
  return {
    count: sourceStarts.length - 1,
    sourceStarts: copyOf(sourceStarts, shared),
    sources: copyOf(sources, shared),
    targetStarts: copyOf(targetStarts, shared),
    targets: copyOf(targets, shared),
    targetWeights: copyOf(targetWeights, shared),
  };
}

function copyOf<T extends Int32Array | Float64Array>(list: Growing<T>, shared: boolean): T {
  const copy = (
    list.values instanceof Float64Array ? float64Array(list.length, shared) : int32Array(list.length, shared)
  ) as T;
  copy.set(list.values.subarray(0, list.length) as never);
  return copy;
}

/** The lists of consecutive layer ranges, joined into one (in shared memory when `shared`). */
export function joinPatchLists(lists: readonly PatchList[], shared: boolean): PatchList {
  if (lists.length === 1) return lists[0] as PatchList;
  let count = 0;
  let sourceCount = 0;
  let targetCount = 0;
  for (const list of lists) {
    count += list.count;
    sourceCount += list.sources.length;
    targetCount += list.targets.length;
  }
  const joined: PatchList = {
    count,
    sourceStarts: int32Array(count + 1, shared),
    sources: int32Array(sourceCount, shared),
    targetStarts: int32Array(count + 1, shared),
    targets: int32Array(targetCount, shared),
    targetWeights: float64Array(targetCount, shared),
  };
  let patch = 0;
  let sourceOffset = 0;
  let targetOffset = 0;
  for (const list of lists) {
    for (let p = 0; p < list.count; p++) {
      joined.sourceStarts[patch + p + 1] = sourceOffset + (list.sourceStarts[p + 1] as number);
      joined.targetStarts[patch + p + 1] = targetOffset + (list.targetStarts[p + 1] as number);
    }
    joined.sources.set(list.sources, sourceOffset);
    joined.targets.set(list.targets, targetOffset);
    joined.targetWeights.set(list.targetWeights, targetOffset);
    patch += list.count;
    sourceOffset += list.sources.length;
    targetOffset += list.targets.length;
  }
  return joined;
}
