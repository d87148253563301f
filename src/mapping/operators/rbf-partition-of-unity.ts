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
//
// With threads, each step of setup is split across a team of worker threads
// on shared memory: the two meshes are ordered and indexed side by side, the
// grid's layers of patches are placed in ranges, row lengths are counted in
// ranges of points, and the rows are written by ranges of patches
// (rbf-pu-assembly.ts). Every step gives exactly what one thread gives, so
// the operator is the same bit for bit whatever the number of threads.
import { float64Array, int32Array, sharedCopy } from "../array-memory.ts";
import { type KernelName, radialKernel } from "../kernels/radial-kernel.ts";
import { type CompressedRows, transposeRows } from "../linalg/compressed-rows.ts";
import { MappingError } from "../mapping-error.ts";
import { numericBackend } from "../numeric-backend.ts";
import { KdTree } from "../spatial/kd-tree.ts";
import { coordinate, type PointSet } from "../spatial/point-set.ts";
import type { ThreadTeam } from "../threads/thread-team.ts";
import type {
  AssembleRowsPayload,
  OrderedMeshesPayload,
  PlacePatchesPayload,
  RowLengthsPayload,
} from "./operator-tasks.ts";
import { type OrderedMesh, orderedMesh } from "./ordered-mesh.ts";
import {
  accumulateRowPointers,
  assembleRows,
  coverageOf,
  patchRanges,
  type RowAssembly,
  rowLengths,
} from "./rbf-pu-assembly.ts";
import { joinPatchLists, type PatchList, patchGrid, placePatches, sampledPatchRadius } from "./rbf-pu-patches.ts";
import { SparseTransferOperator } from "./sparse-operator.ts";
import { startThreadedSetup } from "./threaded-setup.ts";

export interface RbfPartitionOfUnityOptions {
  kernel?: KernelName;
  /** Support radius (Wendland) or length scale (Gaussian) of the local kernel, in mesh units. */
  radius?: number;
  /** Source points per patch (default 50). */
  pointsPerPatch?: number;
  /** Fraction by which neighbouring patches overlap (default 0.15). */
  patchOverlap?: number;
  conservative?: boolean;
  /** Threads of setup and apply, the caller's included (default 1). */
  threads?: number;
}

export const DEFAULT_POINTS_PER_PATCH = 50;
export const DEFAULT_PATCH_OVERLAP = 0.15;
/** Points at which the patch radius is estimated. */
const RADIUS_SAMPLES = 64;
/** Below this many points a setup stays on one thread. */
const PARALLEL_SETUP_POINTS = 10_000;

export function setupRbfPartitionOfUnity(
  source: PointSet,
  target: PointSet,
  options: RbfPartitionOfUnityOptions = {},
): SparseTransferOperator {
  const { conservative, threads, team } = startThreadedSetup(source, target, options);
  const rows = conservative
    ? transposeRows(partitionOfUnityRows(target, source, options, team))
    : partitionOfUnityRows(source, target, options, team);
  return new SparseTransferOperator("rbf-pu", conservative, rows, threads);
}

/** The consistent RBF-PU weights: one row per point of `to`, drawing on points of `from`; across `team`'s threads when given. */
export function partitionOfUnityRows(
  from: PointSet,
  to: PointSet,
  options: RbfPartitionOfUnityOptions,
  team?: ThreadTeam,
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
  const parallel = team !== undefined && team.size > 1 && from.count + to.count >= PARALLEL_SETUP_POINTS;
  const across = parallel ? team : undefined;
  const dimension = from.dimension;
  // Both meshes renumbered along a Morton curve, with a tree each (see ordered-mesh.ts).
  const [sourceMesh, targetMesh] = orderedMeshes([from, to], across);
  const sourceTree = KdTree.fromArrays(sourceMesh.tree);
  const targetTree = KdTree.fromArrays(targetMesh.tree);
  const radius = patchRadius(from, sourceTree, pointsPerPatch);
  const grid = patchGrid(targetMesh.xyz, to.count, dimension, radius, pointsPerPatch, overlap);
  let patches: PatchList;
  if (across === undefined) {
    patches = placePatches(sourceTree, targetTree, grid, 0, grid.cells[2], false);
  } else {
    const place: PlacePatchesPayload = { sourceTree: sourceMesh.tree, targetTree: targetMesh.tree, grid };
    patches = joinPatchLists(across.run("place-patches", place) as PatchList[], true);
  }
  const shared = across !== undefined;
  const coverage = coverageOf(patches, to.count, targetMesh.order, shared);
  const rowPointers = int32Array(to.count + 1, shared);
  if (across === undefined) {
    rowLengths(patches, coverage, targetMesh.order, from.count, 0, to.count, rowPointers);
  } else {
    const lengths: RowLengthsPayload = {
      patches,
      coverage,
      targetOrder: targetMesh.order,
      sourceCount: from.count,
      rowPointers,
    };
    across.run("row-lengths", lengths);
  }
  accumulateRowPointers(rowPointers);
  const entries = rowPointers[to.count] as number;
  const assembly: RowAssembly = {
    sourceXyz: sourceMesh.xyz,
    targetXyz: targetMesh.xyz,
    sourceOrder: sourceMesh.order,
    targetOrder: targetMesh.order,
    patches,
    coverage,
    kernel,
    dimension,
    rowPointers,
    columns: int32Array(entries, shared),
    weights: float64Array(entries, shared),
  };
  if (across === undefined) assembleRows(assembly, 0, patches.count);
  else {
    const ranges = patchRanges(patches, across.size);
    const payload: AssembleRowsPayload = { assembly, ranges, backend: numericBackend(), kernel };
    across.run("assemble-rows", payload);
  }
  return {
    rowCount: to.count,
    columnCount: from.count,
    rowPointers,
    columns: assembly.columns,
    weights: assembly.weights,
  };
}

/** Both meshes in Morton order with their trees: side by side on a team's threads. */
function orderedMeshes(meshes: [PointSet, PointSet], team: ThreadTeam | undefined): [OrderedMesh, OrderedMesh] {
  if (team === undefined) return [orderedMesh(meshes[0], false), orderedMesh(meshes[1], false)];
  const payload: OrderedMeshesPayload = {
    meshes: meshes.map((mesh) => ({ ...mesh, coordinates: sharedCopy(mesh.coordinates) })),
  };
  const made: OrderedMesh[] = new Array(meshes.length);
  for (const part of team.run("ordered-meshes", payload, meshes.length) as { index: number; mesh: OrderedMesh }[][]) {
    for (const { index, mesh } of part) made[index] = mesh;
  }
  return made as [OrderedMesh, OrderedMesh];
}

/** The patch radius estimated at sample points taken evenly through the source mesh's own numbering. */
function patchRadius(from: PointSet, sourceTree: KdTree, pointsPerPatch: number): number {
  const samples = Math.min(RADIUS_SAMPLES, from.count);
  const xyz = new Float64Array(3 * samples);
  for (let sample = 0; sample < samples; sample++) {
    const point = Math.floor((sample * from.count) / samples);
    for (let axis = 0; axis < from.dimension; axis++) xyz[3 * sample + axis] = coordinate(from, point, axis);
  }
  return sampledPatchRadius(xyz, samples, sourceTree, pointsPerPatch, samples);
}
