// The parts of operator setups that worker threads share, by name: each
// takes its part of the work from a payload of numbers and typed arrays in
// shared memory, and returns what it made (typed arrays in shared memory too).
// The same table runs part 0 on the calling thread, so a part's work is the
// same code wherever it runs.
import type { RadialKernel } from "../kernels/radial-kernel.ts";
import { type NumericBackend, withNumericBackend } from "../numeric-backend.ts";
import { KdTree, type KdTreeArrays } from "../spatial/kd-tree.ts";
import { mortonOrder } from "../spatial/morton-order.ts";
import type { PointSet } from "../spatial/point-set.ts";
import type { TaskTable } from "../threads/thread-team.ts";
import { queryChunks, queryNearest } from "./nearest-queries.ts";
import { orderedMesh } from "./ordered-mesh.ts";
import { assembleRows, type Coverage, type RowAssembly, rowLengths } from "./rbf-pu-assembly.ts";
import { type PatchGrid, type PatchList, placePatches } from "./rbf-pu-patches.ts";

/** [begin, end) of `count` items for `part` of `parts`. */
export function partOf(count: number, part: number, parts: number): [number, number] {
  return [Math.floor((count * part) / parts), Math.floor((count * (part + 1)) / parts)];
}

export interface TreeRangesPayload {
  tree: KdTreeArrays;
  ranges: Int32Array;
}

export interface NearestPreparePayload {
  tree: KdTreeArrays;
  levels: number;
  from: PointSet;
}

export interface NearestQueriesPayload {
  tree: KdTreeArrays;
  from: PointSet;
  order: Int32Array;
  partners: Int32Array;
}

export interface OrderedMeshesPayload {
  meshes: PointSet[];
}

export interface PlacePatchesPayload {
  sourceTree: KdTreeArrays;
  targetTree: KdTreeArrays;
  grid: PatchGrid;
}

export interface RowLengthsPayload {
  patches: PatchList;
  coverage: Coverage;
  targetOrder: Int32Array;
  sourceCount: number;
  rowPointers: Int32Array;
}

export interface AssembleRowsPayload {
  assembly: RowAssembly;
  ranges: Int32Array;
  backend: NumericBackend;
  kernel: RadialKernel;
}

export const OPERATOR_TASKS: TaskTable = {
  /** Nearest setup, first step: part 0 splits the tree's top levels, part 1 (or 0) orders the queries. */
  "nearest-prepare": (payload, part, parts) => {
    const { tree, levels, from } = payload as NearestPreparePayload;
    const result: { ranges?: Int32Array; order?: Int32Array } = {};
    if (part === 0) result.ranges = KdTree.fromArrays(tree).splitTop(levels);
    if (part === Math.min(1, parts - 1)) result.order = mortonOrder(from, true);
    return result;
  },
  /** Builds every `parts`-th subtree range, starting at `part`. */
  "tree-ranges": (payload, part, parts) => {
    const { tree, ranges } = payload as TreeRangesPayload;
    KdTree.fromArrays(tree).buildRanges(ranges, part, parts);
    return undefined;
  },
  "nearest-queries": (payload, part, parts) => {
    const { tree, from, order, partners } = payload as NearestQueriesPayload;
    const [first, end] = partOf(queryChunks(from.count), part, parts);
    queryNearest(KdTree.fromArrays(tree), from, order, partners, first, end);
    return undefined;
  },
  /** RBF-PU setup, first step: each part orders every `parts`-th mesh and builds its tree. */
  "ordered-meshes": (payload, part, parts) => {
    const { meshes } = payload as OrderedMeshesPayload;
    const made = [];
    for (let index = part; index < meshes.length; index += parts) {
      made.push({ index, mesh: orderedMesh(meshes[index] as PointSet, true) });
    }
    return made;
  },
  "place-patches": (payload, part, parts) => {
    const { sourceTree, targetTree, grid } = payload as PlacePatchesPayload;
    const [first, end] = partOf(grid.cells[2], part, parts);
    return placePatches(KdTree.fromArrays(sourceTree), KdTree.fromArrays(targetTree), grid, first, end, true);
  },
  "row-lengths": (payload, part, parts) => {
    const { patches, coverage, targetOrder, sourceCount, rowPointers } = payload as RowLengthsPayload;
    const [first, end] = partOf(targetOrder.length, part, parts);
    rowLengths(patches, coverage, targetOrder, sourceCount, first, end, rowPointers);
    return undefined;
  },
  "assemble-rows": (payload, part) => {
    const { assembly, ranges, backend } = payload as AssembleRowsPayload;
    withNumericBackend(backend, () => assembleRows(assembly, ranges[part] as number, ranges[part + 1] as number));
    return undefined;
  },
};
