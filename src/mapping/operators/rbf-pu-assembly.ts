// From a partition-of-unity operator's patches to its compressed rows: which
// patches cover each receiving point, how long each row is, and the rows
// themselves, blended from the patches' weight blocks. The rows are written
// by ranges of patches: a range owns the receiving points whose last
// covering patch is in it, computes the blocks of those points' patches (its
// own, and the few before it that its points also lie in), and writes only
// its points' rows. Ranges never write the same row, and a row is blended
// in patch order whatever range writes it, so worker threads given ranges
// produce exactly the rows one thread does.

import { float64Array, int32Array } from "../array-memory.ts";
import type { RadialKernel } from "../kernels/radial-kernel.ts";
import { nativeKernels, numericBackend } from "../numeric-backend.ts";
import { BlockArena } from "./block-arena.ts";
import { LocalWeightsScratch, patchWeights } from "./rbf-local-weights.ts";
import type { PatchList } from "./rbf-pu-patches.ts";

/** For every receiving point (by Morton position), the patches covering it (in patch order), its row in each, and its weight there. */
export interface Coverage {
  /** Entries of point i: starts[i] .. starts[i + 1]. */
  starts: Int32Array;
  patches: Int32Array;
  rows: Int32Array;
  weights: Float64Array;
  /** Sum of each point's patch weights. */
  weightSums: Float64Array;
  /** The last patch covering each point, and the points grouped by it (completing[completingStarts[p] …]). */
  last: Int32Array;
  completingStarts: Int32Array;
  completing: Int32Array;
}

export function coverageOf(patches: PatchList, pointCount: number, targetOrder: Int32Array, shared: boolean): Coverage {
  const starts = int32Array(pointCount + 1, shared);
  const weightSums = float64Array(pointCount, shared);
  const { targetStarts, targets, targetWeights } = patches;
  const entries = targets.length;
  for (let n = 0; n < entries; n++) {
    const point = targets[n] as number;
    starts[point + 1] = (starts[point + 1] as number) + 1;
    weightSums[point] = (weightSums[point] as number) + (targetWeights[n] as number);
  }
  for (let point = 0; point < pointCount; point++) {
    if (!((weightSums[point] as number) > 0)) {
      throw new Error(`rbf-pu: receiving point ${targetOrder[point]} is in no patch (a bug in patch placement)`);
    }
    starts[point + 1] = (starts[point + 1] as number) + (starts[point] as number);
  }
  const coveringPatches = int32Array(entries, shared);
  const rows = int32Array(entries, shared);
  const weights = float64Array(entries, shared);
  const cursors = starts.slice(0, pointCount);
  for (let patch = 0; patch < patches.count; patch++) {
    const first = targetStarts[patch] as number;
    const end = targetStarts[patch + 1] as number;
    for (let n = first; n < end; n++) {
      const point = targets[n] as number;
      const entry = cursors[point] as number;
      cursors[point] = entry + 1;
      coveringPatches[entry] = patch;
      rows[entry] = n - first;
      weights[entry] = targetWeights[n] as number;
    }
  }
  // Coverage lists are in patch order: a point's last entry is its last patch.
  const last = int32Array(pointCount, shared);
  for (let point = 0; point < pointCount; point++) {
    last[point] = coveringPatches[(starts[point + 1] as number) - 1] as number;
  }
  const completingStarts = int32Array(patches.count + 1, shared);
  for (let point = 0; point < pointCount; point++) {
    const patch = last[point] as number;
    completingStarts[patch + 1] = (completingStarts[patch + 1] as number) + 1;
  }
  for (let patch = 0; patch < patches.count; patch++) {
    completingStarts[patch + 1] = (completingStarts[patch + 1] as number) + (completingStarts[patch] as number);
  }
  const completing = int32Array(pointCount, shared);
  const fill = completingStarts.slice(0, patches.count);
  for (let point = 0; point < pointCount; point++) {
    const patch = last[point] as number;
    completing[fill[patch] as number] = point;
    fill[patch] = (fill[patch] as number) + 1;
  }
  return {
    starts,
    patches: coveringPatches,
    rows,
    weights,
    weightSums,
    last,
    completingStarts,
    completing,
  };
}

/**
 * Row lengths of the points at Morton positions [begin, end), into
 * rowPointers[point + 1] (the receiving mesh's own numbering): one entry per
 * distinct source point of the patches covering the point.
 */
export function rowLengths(
  patches: PatchList,
  coverage: Coverage,
  targetOrder: Int32Array,
  sourceCount: number,
  begin: number,
  end: number,
  rowPointers: Int32Array,
): void {
  const seen = new Int32Array(sourceCount).fill(-1);
  if (numericBackend() === "native") {
    nativeKernels.rowLengths(
      assemblyHandle(patches, coverage, targetOrder, sourceCount),
      begin,
      end,
      rowPointers,
      seen,
    );
    return;
  }
  const { sourceStarts, sources } = patches;
  for (let position = begin; position < end; position++) {
    let length = 0;
    for (let entry = coverage.starts[position] as number; entry < (coverage.starts[position + 1] as number); entry++) {
      const patch = coverage.patches[entry] as number;
      for (let n = sourceStarts[patch] as number; n < (sourceStarts[patch + 1] as number); n++) {
        const source = sources[n] as number;
        if (seen[source] !== position) {
          seen[source] = position;
          length++;
        }
      }
    }
    rowPointers[(targetOrder[position] as number) + 1] = length;
  }
}

/** The native row kernels' view of a setup's patches and coverage. */
function assemblyHandle(
  patches: PatchList,
  coverage: Coverage,
  targetOrder: Int32Array,
  sourceCount: number,
  sourceOrder?: Int32Array,
) {
  return nativeKernels.rowAssembly(
    patches.sourceStarts,
    patches.sources,
    coverage.starts,
    coverage.patches,
    coverage.rows,
    coverage.weights,
    coverage.weightSums,
    sourceOrder ?? new Int32Array(sourceCount),
    targetOrder,
  );
}

/** Row lengths in rowPointers[1 …] become row pointers. */
export function accumulateRowPointers(rowPointers: Int32Array): void {
  for (let row = 1; row < rowPointers.length; row++) {
    rowPointers[row] = (rowPointers[row] as number) + (rowPointers[row - 1] as number);
  }
}

/** What writing rows needs: the meshes in Morton order, the patches, the coverage, and the rows' arrays. */
export interface RowAssembly {
  sourceXyz: Float64Array;
  targetXyz: Float64Array;
  sourceOrder: Int32Array;
  targetOrder: Int32Array;
  patches: PatchList;
  coverage: Coverage;
  kernel: RadialKernel;
  dimension: number;
  rowPointers: Int32Array;
  columns: Int32Array;
  weights: Float64Array;
}

/** The patches split into `parts` ranges of about equal work (a patch's work grows as targets × sources²). */
export function patchRanges(patches: PatchList, parts: number): Int32Array {
  const work = new Float64Array(patches.count + 1);
  for (let patch = 0; patch < patches.count; patch++) {
    const s = (patches.sourceStarts[patch + 1] as number) - (patches.sourceStarts[patch] as number);
    const t = (patches.targetStarts[patch + 1] as number) - (patches.targetStarts[patch] as number);
    work[patch + 1] = (work[patch] as number) + (s + t) * s * s;
  }
  const total = work[patches.count] as number;
  const bounds = new Int32Array(parts + 1);
  let patch = 0;
  for (let part = 1; part < parts; part++) {
    while (patch < patches.count && (work[patch] as number) < (total * part) / parts) patch++;
    bounds[part] = patch;
  }
  bounds[parts] = patches.count;
  return bounds;
}

/**
 * Writes the rows of the points whose last covering patch is in
 * [firstPatch, endPatch). Each patch's weight rows (one per receiving point,
 * one entry per source point) go into a block; a point's row is gathered
 * from its patches' blocks as soon as the last of them is done, and a block
 * goes back to the pool once every point of this range that needs it has
 * been gathered. Patches come in grid order, so only a few layers of blocks
 * are alive at a time: they stay in cache.
 */
export function assembleRows(assembly: RowAssembly, firstPatch: number, endPatch: number): void {
  const { patches, coverage, sourceXyz, targetXyz } = assembly;
  const { sourceStarts, sources, targetStarts, targets } = patches;
  // The patch after which each needed block can go: the latest last patch of the points here that lie in it.
  const release = new Int32Array(patches.count).fill(-1);
  const ownedBegin = coverage.completingStarts[firstPatch] as number;
  const ownedEnd = coverage.completingStarts[endPatch] as number;
  let halo = firstPatch;
  for (let owned = ownedBegin; owned < ownedEnd; owned++) {
    const position = coverage.completing[owned] as number;
    const lastPatch = coverage.last[position] as number;
    for (let entry = coverage.starts[position] as number; entry < (coverage.starts[position + 1] as number); entry++) {
      const patch = coverage.patches[entry] as number;
      if ((release[patch] as number) < lastPatch) release[patch] = lastPatch;
      if (patch < halo) halo = patch;
    }
  }
  const span = endPatch - halo;
  // Patches grouped by the patch after which they are released.
  const releasingStarts = new Int32Array(span + 1);
  for (let patch = halo; patch < endPatch; patch++) {
    const at = release[patch] as number;
    if (at >= 0) releasingStarts[at - halo + 1] = (releasingStarts[at - halo + 1] as number) + 1;
  }
  for (let index = 0; index < span; index++) {
    releasingStarts[index + 1] = (releasingStarts[index + 1] as number) + (releasingStarts[index] as number);
  }
  const releasing = new Int32Array(releasingStarts[span] as number);
  const fill = releasingStarts.slice(0, span);
  for (let patch = halo; patch < endPatch; patch++) {
    const at = release[patch] as number;
    if (at < 0) continue;
    releasing[fill[at - halo] as number] = patch;
    fill[at - halo] = (fill[at - halo] as number) + 1;
  }
  // Room for about three layers of average blocks (a layer of a cubic grid of
  // P patches has P^(2/3)): the arena rarely needs to grow.
  let work = 0;
  for (let patch = halo; patch < endPatch; patch++) {
    work +=
      ((sourceStarts[patch + 1] as number) - (sourceStarts[patch] as number)) *
      ((targetStarts[patch + 1] as number) - (targetStarts[patch] as number));
  }
  const average = span > 0 ? work / span : 0;
  const arena = new BlockArena(halo, span, Math.ceil(3 * span ** (2 / 3) * average));
  const slot = new Int32Array(assembly.sourceOrder.length).fill(-1);
  const native = numericBackend() === "native";
  const handle = native
    ? assemblyHandle(patches, coverage, assembly.targetOrder, assembly.sourceOrder.length, assembly.sourceOrder)
    : undefined;
  const scratch = new LocalWeightsScratch();
  let localSources = new Float64Array(0);
  let localTargets = new Float64Array(0);
  for (let patch = halo; patch < endPatch; patch++) {
    if ((release[patch] as number) < 0) continue;
    const sourceBegin = sourceStarts[patch] as number;
    const targetBegin = targetStarts[patch] as number;
    const s = (sourceStarts[patch + 1] as number) - sourceBegin;
    const t = (targetStarts[patch + 1] as number) - targetBegin;
    if (localSources.length < 3 * s) localSources = new Float64Array(6 * s);
    if (localTargets.length < 3 * t) localTargets = new Float64Array(6 * t);
    for (let j = 0; j < s; j++) {
      const point = sources[sourceBegin + j] as number;
      localSources[3 * j] = sourceXyz[3 * point] as number;
      localSources[3 * j + 1] = sourceXyz[3 * point + 1] as number;
      localSources[3 * j + 2] = sourceXyz[3 * point + 2] as number;
    }
    for (let row = 0; row < t; row++) {
      const point = targets[targetBegin + row] as number;
      localTargets[3 * row] = targetXyz[3 * point] as number;
      localTargets[3 * row + 1] = targetXyz[3 * point + 1] as number;
      localTargets[3 * row + 2] = targetXyz[3 * point + 2] as number;
    }
    const offset = arena.take(patch, t * s);
    const block = arena.data.subarray(offset, offset + t * s);
    patchWeights(
      localSources,
      s,
      localTargets,
      t,
      assembly.kernel,
      assembly.dimension,
      block,
      scratch,
      `rbf-pu patch ${patch}`,
    );
    if (patch >= firstPatch) {
      const first = coverage.completingStarts[patch] as number;
      const end = coverage.completingStarts[patch + 1] as number;
      if (handle !== undefined) {
        const { rowPointers, columns, weights } = assembly;
        const data = arena.data;
        nativeKernels.blendRows(
          handle,
          rowPointers,
          columns,
          weights,
          data,
          arena.offsets,
          halo,
          coverage.completing,
          first,
          end,
          slot,
        );
      } else {
        for (let entry = first; entry < end; entry++)
          gatherRow(assembly, coverage.completing[entry] as number, arena, halo, slot);
      }
    }
    for (
      let entry = releasingStarts[patch - halo] as number;
      entry < (releasingStarts[patch - halo + 1] as number);
      entry++
    ) {
      arena.release(releasing[entry] as number);
    }
  }
}

/** The rows of the receiving points positions[first … end) (the reference of the native blendRows). */
export function blendRowsTypeScript(
  assembly: RowAssembly,
  arena: BlockArena,
  halo: number,
  positions: Int32Array,
  first: number,
  end: number,
  slot: Int32Array,
): void {
  for (let index = first; index < end; index++) gatherRow(assembly, positions[index] as number, arena, halo, slot);
}

/**
 * Writes one receiving point's row: its rows in the blocks of the patches
 * covering it, blended by its normalized patch weights, entries naming the
 * same source point summed (first-seen order kept).
 */
function gatherRow(assembly: RowAssembly, position: number, arena: BlockArena, halo: number, slot: Int32Array): void {
  const { coverage, patches, sourceOrder, columns, weights } = assembly;
  const { sourceStarts, sources } = patches;
  const begin = assembly.rowPointers[assembly.targetOrder[position] as number] as number;
  const weightSum = coverage.weightSums[position] as number;
  let size = begin;
  for (let entry = coverage.starts[position] as number; entry < (coverage.starts[position + 1] as number); entry++) {
    const patch = coverage.patches[entry] as number;
    const first = sourceStarts[patch] as number;
    const s = (sourceStarts[patch + 1] as number) - first;
    const block = arena.data;
    const blend = (coverage.weights[entry] as number) / weightSum;
    const base = (arena.offsets[patch - halo] as number) + (coverage.rows[entry] as number) * s;
    for (let j = 0; j < s; j++) {
      const source = sources[first + j] as number;
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
