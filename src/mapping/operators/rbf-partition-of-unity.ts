// Partition-of-unity RBF: cover the receiving points with overlapping
// spherical patches, solve a small RBF system (with linear polynomial) on the
// source points of each patch, and blend the patches' interpolants with
// weights wₚ(x) = Wendland C2(|x − cₚ| / Rₚ) normalised to sum to 1. Setup is
// O(n) small dense solves instead of one O(n³) solve; since everything is
// linear, each target point's value is a fixed combination of source values,
// and setup stores exactly that (one sparse row per target point): apply is a
// sparse mat-vec. A patch's interpolant reproduces linear fields, and the
// weights sum to 1, so the blend does too.
//
// Patches (as in preCICE's rbf-pu): the radius R holds about `pointsPerPatch`
// source points (estimated from k-nearest distances at sample points, so that
// surface meshes in 3-D are sized right), centres sit on a grid of spacing
// 2R(1 − overlap)/√d over the receiving points, so every receiving point lies
// within R(1 − overlap) of the centre of its own cell; cells without receiving
// points are dropped; a patch with too few source points grows to its
// `pointsPerPatch` nearest.
import { PolynomialFrame } from "../kernels/augmented-system.ts";
import { evaluateKernelRow, type KernelName, radialKernel } from "../kernels/radial-kernel.ts";
import { wendlandC2 } from "../kernels/wendland.ts";
import { type CompressedRows, transposeRows } from "../linalg/compressed-rows.ts";
import { MappingError } from "../mapping-error.ts";
import { KdTree, NeighbourList } from "../spatial/kd-tree.ts";
import { mortonOrder } from "../spatial/morton-order.ts";
import { type PointSet, validateTransferMeshes, xyzCoordinates } from "../spatial/point-set.ts";
import { LocalWeightsScratch, localWeightRows } from "./rbf-local-weights.ts";
import { SparseTransferOperator } from "./sparse-operator.ts";

export interface RbfPartitionOfUnityOptions {
  kernel?: KernelName;
  /** Support radius (Wendland) or length scale (Gaussian) of the local kernel, in mesh units. */
  radius?: number;
  /** Source points per patch (default 50). */
  pointsPerPatch?: number;
  /** Fraction by which neighbouring patches overlap (default 0.15). */
  patchOverlap?: number;
  conservative?: boolean;
}

export const DEFAULT_POINTS_PER_PATCH = 50;
export const DEFAULT_PATCH_OVERLAP = 0.15;
/** Points at which the patch radius is estimated. */
const RADIUS_SAMPLES = 64;

export function setupRbfPartitionOfUnity(
  source: PointSet,
  target: PointSet,
  options: RbfPartitionOfUnityOptions = {},
): SparseTransferOperator {
  validateTransferMeshes(source, target);
  const conservative = options.conservative === true;
  const rows = conservative
    ? transposeRows(partitionOfUnityRows(target, source, options))
    : partitionOfUnityRows(source, target, options);
  return new SparseTransferOperator("rbf-pu", conservative, rows);
}

interface Patch {
  centerX: number;
  centerY: number;
  centerZ: number;
  radius: number;
  /** The source points inside the patch. */
  sources: Int32Array;
  /** The receiving points strictly inside it, and their (not yet normalized) patch weights. */
  targets: Int32Array;
  weights: Float64Array;
}

/** The consistent RBF-PU weights: one row per point of `to`, drawing on points of `from`. */
export function partitionOfUnityRows(
  from: PointSet,
  to: PointSet,
  options: RbfPartitionOfUnityOptions,
): CompressedRows {
  const kernel = radialKernel(options.kernel ?? "wendland-c2", options.radius);
  const pointsPerPatch = Math.min(options.pointsPerPatch ?? DEFAULT_POINTS_PER_PATCH, from.count);
  const overlap = options.patchOverlap ?? DEFAULT_PATCH_OVERLAP;
  if (!Number.isInteger(pointsPerPatch) || pointsPerPatch < 1) {
    throw new MappingError(`rbf-pu pointsPerPatch must be a whole number ≥ 1; got ${options.pointsPerPatch}`);
  }
  if (!(overlap >= 0 && overlap < 1)) {
    throw new MappingError(`rbf-pu patchOverlap must be in [0, 1); got ${options.patchOverlap}`);
  }
  const dimension = from.dimension;
  // Setup works on both meshes renumbered along a Morton curve: the points of
  // one patch are then close together in memory, whatever order the meshes
  // come in, and so are the patches covering neighbouring receiving points.
  const sourceOrder = mortonOrder(from);
  const targetOrder = mortonOrder(to);
  const fromXyz = xyzCoordinates(from);
  const toXyz = xyzCoordinates(to);
  const sourceXyz = permutedXyz(fromXyz, sourceOrder);
  const targetXyz = permutedXyz(toXyz, targetOrder);
  const sourceTree = KdTree.build({ dimension: 3, count: from.count, layout: "interleaved", coordinates: sourceXyz });
  const targetTree = KdTree.build({ dimension: 3, count: to.count, layout: "interleaved", coordinates: targetXyz });
  const radius = patchRadius(fromXyz, from.count, sourceTree, pointsPerPatch);
  const patches = placePatches(sourceTree, targetXyz, to.count, targetTree, dimension, radius, pointsPerPatch, overlap);

  // Each patch's weight rows (one per receiving point it covers, one entry per
  // source point) are computed into a block; a receiving point's row is
  // gathered from the blocks of its patches as soon as the last of them is
  // done, and a block goes back to the pool once every point it covers has
  // been gathered. Patches come in grid order, so only a few layers of blocks
  // are alive at a time: they stay in cache, and setup does not touch memory
  // in proportion to the whole overlap.
  const coverage = coverageOf(patches, targetOrder);
  const rowPointers = rowPointersOf(patches, coverage, targetOrder, from.count);
  const entries = rowPointers[to.count] as number;
  const columns = new Int32Array(entries);
  const weights = new Float64Array(entries);
  const schedule = scheduleOf(patches, coverage);
  const blocks: (Float64Array | undefined)[] = new Array(patches.length).fill(undefined);
  const pool: Float64Array[] = [];
  const slot = new Int32Array(from.count).fill(-1);
  const q = dimension + 1;
  let localXyz = new Float64Array(0);
  let polynomialRows = new Float64Array(0);
  const scratch = new LocalWeightsScratch();
  for (let index = 0; index < patches.length; index++) {
    const patch = patches[index] as Patch;
    const { sources, targets } = patch;
    const t = targets.length;
    const s = sources.length;
    if (localXyz.length < 3 * s) localXyz = new Float64Array(6 * s);
    for (let j = 0; j < s; j++) {
      const point = sources[j] as number;
      localXyz[3 * j] = sourceXyz[3 * point] as number;
      localXyz[3 * j + 1] = sourceXyz[3 * point + 1] as number;
      localXyz[3 * j + 2] = sourceXyz[3 * point + 2] as number;
    }
    const frame = PolynomialFrame.around(localXyz, s, dimension);
    let block = pool.pop();
    if (block === undefined || block.length < t * s) block = new Float64Array(2 * t * s);
    if (polynomialRows.length < t * q) polynomialRows = new Float64Array(2 * t * q);
    for (let row = 0; row < t; row++) {
      const point = targets[row] as number;
      const x = targetXyz[3 * point] as number;
      const y = targetXyz[3 * point + 1] as number;
      const z = targetXyz[3 * point + 2] as number;
      evaluateKernelRow(kernel, x, y, z, localXyz, s, block, row * s);
      frame.evaluate(x, y, z, polynomialRows, row * q);
    }
    localWeightRows(localXyz, s, kernel, frame, block, polynomialRows, t, scratch, `rbf-pu patch ${index}`);
    blocks[index] = block;
    for (
      let entry = schedule.completingStarts[index] as number;
      entry < (schedule.completingStarts[index + 1] as number);
      entry++
    ) {
      const position = schedule.completing[entry] as number;
      gatherRow(
        position,
        coverage,
        patches,
        blocks,
        sourceOrder,
        slot,
        rowPointers[targetOrder[position] as number] as number,
        columns,
        weights,
      );
    }
    for (
      let entry = schedule.releasingStarts[index] as number;
      entry < (schedule.releasingStarts[index + 1] as number);
      entry++
    ) {
      const released = schedule.releasing[entry] as number;
      pool.push(blocks[released] as Float64Array);
      blocks[released] = undefined;
    }
  }
  return { rowCount: to.count, columnCount: from.count, rowPointers, columns, weights };
}

/** x, y, z triples of the points in `order`. */
function permutedXyz(xyz: Float64Array, order: Int32Array): Float64Array {
  const permuted = new Float64Array(xyz.length);
  for (let position = 0; position < order.length; position++) {
    const point = order[position] as number;
    permuted[3 * position] = xyz[3 * point] as number;
    permuted[3 * position + 1] = xyz[3 * point + 1] as number;
    permuted[3 * position + 2] = xyz[3 * point + 2] as number;
  }
  return permuted;
}

/** For every receiving point, the patches covering it (in patch order), its row in each, and its weight there. */
interface Coverage {
  /** Entries of point i: starts[i] .. starts[i + 1]. */
  starts: Int32Array;
  patches: Int32Array;
  rows: Int32Array;
  weights: Float64Array;
  /** Sum of each point's patch weights. */
  weightSums: Float64Array;
}

function coverageOf(patches: Patch[], targetOrder: Int32Array): Coverage {
  const pointCount = targetOrder.length;
  const starts = new Int32Array(pointCount + 1);
  const weightSums = new Float64Array(pointCount);
  for (const patch of patches) {
    for (let n = 0; n < patch.targets.length; n++) {
      const point = patch.targets[n] as number;
      starts[point + 1] = (starts[point + 1] as number) + 1;
      weightSums[point] = (weightSums[point] as number) + (patch.weights[n] as number);
    }
  }
  for (let point = 0; point < pointCount; point++) {
    if (!((weightSums[point] as number) > 0)) {
      throw new Error(`rbf-pu: receiving point ${targetOrder[point]} is in no patch (a bug in patch placement)`);
    }
    starts[point + 1] = (starts[point + 1] as number) + (starts[point] as number);
  }
  const entries = starts[pointCount] as number;
  const coveringPatches = new Int32Array(entries);
  const rows = new Int32Array(entries);
  const weights = new Float64Array(entries);
  const cursors = starts.slice(0, pointCount);
  for (let index = 0; index < patches.length; index++) {
    const patch = patches[index] as Patch;
    for (let n = 0; n < patch.targets.length; n++) {
      const point = patch.targets[n] as number;
      const entry = cursors[point] as number;
      cursors[point] = entry + 1;
      coveringPatches[entry] = index;
      rows[entry] = n;
      weights[entry] = patch.weights[n] as number;
    }
  }
  return { starts, patches: coveringPatches, rows, weights, weightSums };
}

/**
 * Row pointers of the operator, in the receiving mesh's own numbering: a
 * point's row has one entry per distinct source point of the patches covering
 * it. Counting first lets the rows be written straight into arrays of their
 * final size.
 */
function rowPointersOf(patches: Patch[], coverage: Coverage, targetOrder: Int32Array, sourceCount: number): Int32Array {
  const pointCount = targetOrder.length;
  const rowPointers = new Int32Array(pointCount + 1);
  const seen = new Int32Array(sourceCount).fill(-1);
  for (let position = 0; position < pointCount; position++) {
    let length = 0;
    for (let entry = coverage.starts[position] as number; entry < (coverage.starts[position + 1] as number); entry++) {
      const sources = (patches[coverage.patches[entry] as number] as Patch).sources;
      for (let j = 0; j < sources.length; j++) {
        const source = sources[j] as number;
        if (seen[source] !== position) {
          seen[source] = position;
          length++;
        }
      }
    }
    rowPointers[(targetOrder[position] as number) + 1] = length;
  }
  for (let point = 0; point < pointCount; point++) {
    rowPointers[point + 1] = (rowPointers[point + 1] as number) + (rowPointers[point] as number);
  }
  return rowPointers;
}

/**
 * When rows can be gathered and blocks released: the receiving points whose
 * last covering patch is p (completing), and the patches whose covered points
 * are all complete once p is done (releasing), each grouped by p.
 */
interface Schedule {
  completingStarts: Int32Array;
  completing: Int32Array;
  releasingStarts: Int32Array;
  releasing: Int32Array;
}

function scheduleOf(patches: Patch[], coverage: Coverage): Schedule {
  const pointCount = coverage.weightSums.length;
  const patchCount = patches.length;
  // Coverage lists are in patch order: a point's last entry is its last patch.
  const last = new Int32Array(pointCount);
  for (let position = 0; position < pointCount; position++) {
    last[position] = coverage.patches[(coverage.starts[position + 1] as number) - 1] as number;
  }
  const release = new Int32Array(patchCount);
  for (let index = 0; index < patchCount; index++) {
    const targets = (patches[index] as Patch).targets;
    let latest = index;
    for (let n = 0; n < targets.length; n++) latest = Math.max(latest, last[targets[n] as number] as number);
    release[index] = latest;
  }
  const [completingStarts, completing] = groupBy(last, patchCount);
  const [releasingStarts, releasing] = groupBy(release, patchCount);
  return { completingStarts, completing, releasingStarts, releasing };
}

/** Counting sort of 0..keys.length-1 by key (< groups): group g is items[starts[g] .. starts[g + 1]). */
function groupBy(keys: Int32Array, groups: number): [Int32Array, Int32Array] {
  const starts = new Int32Array(groups + 1);
  for (let item = 0; item < keys.length; item++) {
    const key = keys[item] as number;
    starts[key + 1] = (starts[key + 1] as number) + 1;
  }
  for (let group = 0; group < groups; group++)
    starts[group + 1] = (starts[group + 1] as number) + (starts[group] as number);
  const items = new Int32Array(keys.length);
  const cursors = starts.slice(0, groups);
  for (let item = 0; item < keys.length; item++) {
    const key = keys[item] as number;
    items[cursors[key] as number] = item;
    cursors[key] = (cursors[key] as number) + 1;
  }
  return [starts, items];
}

/**
 * Writes one receiving point's row from `begin` on: its rows in the blocks of
 * the patches covering it, blended by its normalized patch weights, entries
 * naming the same source point summed (first-seen order kept).
 */
function gatherRow(
  position: number,
  coverage: Coverage,
  patches: Patch[],
  blocks: (Float64Array | undefined)[],
  sourceOrder: Int32Array,
  slot: Int32Array,
  begin: number,
  columns: Int32Array,
  weights: Float64Array,
): void {
  const weightSum = coverage.weightSums[position] as number;
  let size = begin;
  for (let entry = coverage.starts[position] as number; entry < (coverage.starts[position + 1] as number); entry++) {
    const index = coverage.patches[entry] as number;
    const sources = (patches[index] as Patch).sources;
    const block = blocks[index] as Float64Array;
    const s = sources.length;
    const blend = (coverage.weights[entry] as number) / weightSum;
    const base = (coverage.rows[entry] as number) * s;
    for (let j = 0; j < s; j++) {
      const source = sources[j] as number;
      const weight = blend * (block[base + j] as number);
      // Rows are written in any order, so a slot is this row's only if it lies in what this row has written.
      const existing = slot[source] as number;
      if (existing >= begin && existing < size) weights[existing] = (weights[existing] as number) + weight;
      else {
        slot[source] = size;
        columns[size] = sourceOrder[source] as number;
        weights[size] = weight;
        size++;
      }
    }
  }
}

/**
 * The patch radius: the median, over sample points, of the distance to the
 * pointsPerPatch-th nearest source point (samples taken evenly through the
 * mesh's own numbering).
 */
function patchRadius(fromXyz: Float64Array, count: number, sourceTree: KdTree, pointsPerPatch: number): number {
  const samples = Math.min(RADIUS_SAMPLES, count);
  const indices = new Int32Array(pointsPerPatch);
  const distances = new Float64Array(pointsPerPatch);
  const reach: number[] = [];
  for (let sample = 0; sample < samples; sample++) {
    const point = Math.floor((sample * count) / samples);
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

/** Patches covering every receiving point, with their source and receiving points; see the file comment. */
function placePatches(
  sourceTree: KdTree,
  toXyz: Float64Array,
  toCount: number,
  toTree: KdTree,
  dimension: number,
  sampledRadius: number,
  pointsPerPatch: number,
  overlap: number,
): Patch[] {
  const low = [0, 0, 0];
  const high = [0, 0, 0];
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
  const cells = high.map((value, axis) => Math.max(1, Math.ceil((value - (low[axis] as number)) / spacing)));
  const [cellsX = 1, cellsY = 1, cellsZ = 1] = cells;
  if (cellsX * cellsY * cellsZ > 4 * toCount + 1_000_000) {
    throw new MappingError(
      `rbf-pu: patches of radius ${radius} would need ${cellsX * cellsY * cellsZ} grid cells to cover the target mesh; the meshes are far apart or very unevenly spread — map between meshes that overlap`,
    );
  }
  const step = cells.map((count, axis) => ((high[axis] as number) - (low[axis] as number)) / count);
  const patches: Patch[] = [];
  const covered = new NeighbourList(256);
  const inside = new NeighbourList(256);
  const nearestIndices = new Int32Array(pointsPerPatch);
  const nearestDistances = new Float64Array(pointsPerPatch);
  // Fewer than a quarter of the intended points (a patch at the edge of the
  // source mesh), or too few to determine a linear polynomial: take the nearest.
  const minimumSources = Math.min(pointsPerPatch, Math.max(Math.ceil(pointsPerPatch / 4), 2 * (dimension + 1)));
  for (let k = 0; k < cellsZ; k++) {
    for (let j = 0; j < cellsY; j++) {
      for (let i = 0; i < cellsX; i++) {
        const centerX = (low[0] as number) + (i + 0.5) * (step[0] as number);
        const centerY = (low[1] as number) + (j + 0.5) * (step[1] as number);
        const centerZ = (low[2] as number) + (k + 0.5) * (step[2] as number);
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
        const targets = new Int32Array(covered.count);
        const weights = new Float64Array(covered.count);
        let kept = 0;
        for (let n = 0; n < covered.count; n++) {
          const weight = wendlandC2(Math.sqrt(covered.distancesSquared[n] as number) / patchRadius);
          if (!(weight > 0)) continue;
          targets[kept] = covered.indices[n] as number;
          weights[kept] = weight;
          kept++;
        }
        if (kept === 0) continue;
        patches.push({
          centerX,
          centerY,
          centerZ,
          radius: patchRadius,
          sources: inside.indices.slice(0, inside.count),
          targets: targets.subarray(0, kept),
          weights: weights.subarray(0, kept),
        });
      }
    }
  }
  return patches;
}
