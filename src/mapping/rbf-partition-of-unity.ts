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
import { PolynomialFrame } from "./augmented-system.ts";
import { KdTree, NeighbourList } from "./kd-tree.ts";
import { MappingError } from "./mapping-error.ts";
import { mortonOrder } from "./morton-order.ts";
import { type PointSet, validateTransferMeshes, xyzCoordinates } from "./point-set.ts";
import { evaluateKernel, type KernelName, radialKernel } from "./radial-kernel.ts";
import { LocalWeightsScratch, localWeightRows } from "./rbf-local-weights.ts";
import { type CompressedRows, SparseTransferOperator, transposeRows } from "./sparse-operator.ts";
import { wendlandC2 } from "./wendland.ts";

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
  const fromXyz = xyzCoordinates(from);
  const toXyz = xyzCoordinates(to);
  const fromTree = KdTree.build(from);
  const toTree = KdTree.build(to);
  const patches = placePatches(from, fromXyz, fromTree, to, toXyz, toTree, pointsPerPatch, overlap);

  // Staged rows are laid out in Morton order of the receiving points, so that
  // the points of one patch write to nearby memory; the merge restores the order.
  const order = mortonOrder(to);
  const rank = new Int32Array(to.count);
  for (let position = 0; position < to.count; position++) rank[order[position] as number] = position;

  // For every receiving point, the sum of its patch weights and the number of
  // staged entries (one per source point of each covering patch).
  const weightSums = new Float64Array(to.count);
  const stagedCounts = new Int32Array(to.count + 1);
  for (const patch of patches) {
    const found = patch.sources.length;
    for (let n = 0; n < patch.targets.length; n++) {
      const point = patch.targets[n] as number;
      weightSums[point] = (weightSums[point] as number) + (patch.weights[n] as number);
      const slot = (rank[point] as number) + 1;
      stagedCounts[slot] = (stagedCounts[slot] as number) + found;
    }
  }
  for (let point = 0; point < to.count; point++) {
    if (!((weightSums[point] as number) > 0)) {
      throw new Error(`rbf-pu: receiving point ${point} is in no patch (a bug in patch placement)`);
    }
  }
  // Counts to row starts, in Morton rank order.
  for (let position = 0; position < to.count; position++) {
    stagedCounts[position + 1] = (stagedCounts[position + 1] as number) + (stagedCounts[position] as number);
  }

  // Pass 2: each patch's weight rows at the receiving points it covers, blended
  // and staged per receiving point.
  const staged = stagedCounts[to.count] as number;
  const stagedColumns = new Int32Array(staged);
  const stagedWeights = new Float64Array(staged);
  const cursors = stagedCounts.slice(0, to.count);
  const dimension = from.dimension;
  const q = dimension + 1;
  let kernelRows = new Float64Array(0);
  let polynomialRows = new Float64Array(0);
  const scratch = new LocalWeightsScratch();
  for (let index = 0; index < patches.length; index++) {
    const patch = patches[index] as Patch;
    const { sources, targets } = patch;
    const t = targets.length;
    if (t === 0) continue;
    const s = sources.length;
    const localXyz = new Float64Array(3 * s);
    for (let j = 0; j < s; j++) {
      const point = sources[j] as number;
      localXyz[3 * j] = fromXyz[3 * point] as number;
      localXyz[3 * j + 1] = fromXyz[3 * point + 1] as number;
      localXyz[3 * j + 2] = fromXyz[3 * point + 2] as number;
    }
    const frame = PolynomialFrame.around(localXyz, s, dimension);
    if (kernelRows.length < t * s) kernelRows = new Float64Array(2 * t * s);
    if (polynomialRows.length < t * q) polynomialRows = new Float64Array(2 * t * q);
    for (let row = 0; row < t; row++) {
      const point = targets[row] as number;
      const x = toXyz[3 * point] as number;
      const y = toXyz[3 * point + 1] as number;
      const z = toXyz[3 * point + 2] as number;
      const base = row * s;
      for (let j = 0; j < s; j++) {
        const dx = x - (localXyz[3 * j] as number);
        const dy = y - (localXyz[3 * j + 1] as number);
        const dz = z - (localXyz[3 * j + 2] as number);
        kernelRows[base + j] = evaluateKernel(kernel, Math.sqrt(dx * dx + dy * dy + dz * dz));
      }
      frame.evaluate(x, y, z, polynomialRows, row * q);
    }
    localWeightRows(localXyz, s, kernel, frame, kernelRows, polynomialRows, t, scratch, `rbf-pu patch ${index}`);
    for (let row = 0; row < t; row++) {
      const point = targets[row] as number;
      const blend = (patch.weights[row] as number) / (weightSums[point] as number);
      let cursor = cursors[rank[point] as number] as number;
      const base = row * s;
      for (let j = 0; j < s; j++) {
        stagedColumns[cursor] = sources[j] as number;
        stagedWeights[cursor] = blend * (kernelRows[base + j] as number);
        cursor++;
      }
      cursors[rank[point] as number] = cursor;
    }
  }
  return mergeStagedRows(to.count, from.count, stagedCounts, stagedColumns, stagedWeights, order);
}

/**
 * Sums the staged entries of each row that name the same column (first-seen
 * column order kept), then lays the rows out in receiving-point order: staged
 * row r belongs to point order[r].
 */
function mergeStagedRows(
  rowCount: number,
  columnCount: number,
  stagedPointers: Int32Array,
  stagedColumns: Int32Array,
  stagedWeights: Float64Array,
  order: Int32Array,
): CompressedRows {
  const slot = new Int32Array(columnCount).fill(-1);
  const mergedPointers = new Int32Array(rowCount + 1);
  // Merged rows overwrite the staged arrays in place: a row never grows, and
  // is written no further than where its own staged entries began.
  let size = 0;
  for (let row = 0; row < rowCount; row++) {
    const begin = size;
    for (let entry = stagedPointers[row] as number; entry < (stagedPointers[row + 1] as number); entry++) {
      const column = stagedColumns[entry] as number;
      const weight = stagedWeights[entry] as number;
      const existing = slot[column] as number;
      if (existing >= begin) stagedWeights[existing] = (stagedWeights[existing] as number) + weight;
      else {
        slot[column] = size;
        stagedColumns[size] = column;
        stagedWeights[size] = weight;
        size++;
      }
    }
    mergedPointers[row + 1] = size;
  }
  const rowPointers = new Int32Array(rowCount + 1);
  for (let row = 0; row < rowCount; row++) {
    const point = order[row] as number;
    rowPointers[point + 1] = (mergedPointers[row + 1] as number) - (mergedPointers[row] as number);
  }
  for (let point = 0; point < rowCount; point++) {
    rowPointers[point + 1] = (rowPointers[point + 1] as number) + (rowPointers[point] as number);
  }
  const columns = new Int32Array(size);
  const weights = new Float64Array(size);
  for (let row = 0; row < rowCount; row++) {
    const start = mergedPointers[row] as number;
    const end = mergedPointers[row + 1] as number;
    const destination = rowPointers[order[row] as number] as number;
    columns.set(stagedColumns.subarray(start, end), destination);
    weights.set(stagedWeights.subarray(start, end), destination);
  }
  return { rowCount, columnCount, rowPointers, columns, weights };
}

/** Patches covering every point of `to`, with their source and receiving points; see the file comment. */
function placePatches(
  from: PointSet,
  fromXyz: Float64Array,
  fromTree: KdTree,
  to: PointSet,
  toXyz: Float64Array,
  toTree: KdTree,
  pointsPerPatch: number,
  overlap: number,
): Patch[] {
  // Radius: median, over sample points, of the distance to the pointsPerPatch-th nearest source point.
  const samples = Math.min(RADIUS_SAMPLES, from.count);
  const indices = new Int32Array(pointsPerPatch);
  const distances = new Float64Array(pointsPerPatch);
  const reach: number[] = [];
  for (let sample = 0; sample < samples; sample++) {
    const point = Math.floor((sample * from.count) / samples);
    const found = fromTree.kNearest(
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
  const low = [0, 0, 0];
  const high = [0, 0, 0];
  for (let axis = 0; axis < 3; axis++) {
    let lowest = Number.POSITIVE_INFINITY;
    let highest = Number.NEGATIVE_INFINITY;
    for (let point = 0; point < to.count; point++) {
      const value = toXyz[3 * point + axis] as number;
      lowest = Math.min(lowest, value);
      highest = Math.max(highest, value);
    }
    low[axis] = lowest;
    high[axis] = highest;
  }
  const largestExtent = Math.max(...high.map((value, axis) => value - (low[axis] as number)));
  let radius = reach[Math.floor(reach.length / 2)] as number;
  // All source points in one place (or a single point): one patch radius covering the targets.
  if (!(radius > 0)) radius = largestExtent > 0 ? largestExtent : 1;
  const spacing = (2 * radius * (1 - overlap)) / Math.sqrt(from.dimension);
  const cells = high.map((value, axis) => Math.max(1, Math.ceil((value - (low[axis] as number)) / spacing)));
  const [cellsX = 1, cellsY = 1, cellsZ = 1] = cells;
  if (cellsX * cellsY * cellsZ > 4 * to.count + 1_000_000) {
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
  const minimumSources = Math.min(pointsPerPatch, Math.max(Math.ceil(pointsPerPatch / 4), 2 * (from.dimension + 1)));
  for (let k = 0; k < cellsZ; k++) {
    for (let j = 0; j < cellsY; j++) {
      for (let i = 0; i < cellsX; i++) {
        const centerX = (low[0] as number) + (i + 0.5) * (step[0] as number);
        const centerY = (low[1] as number) + (j + 0.5) * (step[1] as number);
        const centerZ = (low[2] as number) + (k + 0.5) * (step[2] as number);
        if (toTree.withinRadius(centerX, centerY, centerZ, radius, covered) === 0) continue;
        let patchRadius = radius;
        if (fromTree.withinRadius(centerX, centerY, centerZ, radius, inside) < minimumSources) {
          const found = fromTree.kNearest(centerX, centerY, centerZ, pointsPerPatch, nearestIndices, nearestDistances);
          // Just beyond the farthest of them, so that it is inside the patch.
          patchRadius = Math.max(radius, Math.sqrt(nearestDistances[found - 1] as number) * (1 + 1e-9));
          fromTree.withinRadius(centerX, centerY, centerZ, patchRadius, inside);
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
