// The column kernels as a kernel team runs them: their numbers, where each
// finds its arguments among the team's integer words, and the bodies a worker
// runs for its part (arrays named by slot). The calling thread runs its part
// through column-algebra.ts with the arrays themselves.
import {
  addColumnBlocks,
  columnDotBlocks,
  pseudoInverseBlocks,
  rotateColumnBlocks,
  shiftColumnBlocks,
  weightedSquareBlocks,
} from "./column-kernels.ts";
import type { KernelBody } from "./kernel-team.ts";
import { blockCount, firstBlock } from "./row-blocks.ts";

export const ColumnKernel = {
  dots: 0,
  weightedSquares: 1,
  addColumns: 2,
  rotate: 3,
  shift: 4,
  pseudoInverse: 5,
} as const;

/** Positions of the integer arguments (not every kernel reads every one). */
export const Argument = {
  rows: 0,
  count: 1,
  a: 2,
  aOffset: 3,
  x: 4,
  xOffset: 5,
  y: 6,
  yOffset: 7,
  /** The team's own array the kernel reads its factors or rotations from, or writes its partial sums to. */
  table: 8,
  flag: 9,
  capacity: 10,
  scratchStride: 11,
  /** A second matrix: R, for the pseudo-inverse. */
  b: 12,
} as const;

function arrayAt(arrays: readonly Float64Array[], args: Int32Array, position: number): Float64Array {
  return arrays[args[position] as number] as Float64Array;
}

const dots: KernelBody = (arrays, args, part, parts) => {
  const rows = args[Argument.rows] as number;
  const blocks = blockCount(rows);
  columnDotBlocks(
    rows,
    arrayAt(arrays, args, Argument.a),
    args[Argument.aOffset] as number,
    args[Argument.count] as number,
    arrayAt(arrays, args, Argument.x),
    args[Argument.xOffset] as number,
    arrayAt(arrays, args, Argument.table),
    firstBlock(blocks, part, parts),
    firstBlock(blocks, part + 1, parts),
  );
};

const weightedSquares: KernelBody = (arrays, args, part, parts) => {
  const rows = args[Argument.rows] as number;
  const blocks = blockCount(rows);
  weightedSquareBlocks(
    rows,
    arrayAt(arrays, args, Argument.a),
    args[Argument.aOffset] as number,
    args[Argument.count] as number,
    arrayAt(arrays, args, Argument.x),
    arrayAt(arrays, args, Argument.table),
    firstBlock(blocks, part, parts),
    firstBlock(blocks, part + 1, parts),
  );
};

const addColumns: KernelBody = (arrays, args, part, parts) => {
  const rows = args[Argument.rows] as number;
  const blocks = blockCount(rows);
  addColumnBlocks(
    rows,
    arrayAt(arrays, args, Argument.a),
    args[Argument.aOffset] as number,
    args[Argument.count] as number,
    arrayAt(arrays, args, Argument.table),
    (args[Argument.flag] as number) === 1,
    arrayAt(arrays, args, Argument.y),
    args[Argument.yOffset] as number,
    firstBlock(blocks, part, parts),
    firstBlock(blocks, part + 1, parts),
  );
};

const rotate: KernelBody = (arrays, args, part, parts) => {
  const rows = args[Argument.rows] as number;
  const blocks = blockCount(rows);
  rotateColumnBlocks(
    rows,
    arrayAt(arrays, args, Argument.a),
    arrayAt(arrays, args, Argument.table),
    args[Argument.count] as number,
    firstBlock(blocks, part, parts),
    firstBlock(blocks, part + 1, parts),
  );
};

const shift: KernelBody = (arrays, args, part, parts) => {
  const rows = args[Argument.rows] as number;
  const blocks = blockCount(rows);
  shiftColumnBlocks(
    rows,
    arrayAt(arrays, args, Argument.a),
    args[Argument.count] as number,
    firstBlock(blocks, part, parts),
    firstBlock(blocks, part + 1, parts),
  );
};

const pseudoInverse: KernelBody = (arrays, args, part, parts) => {
  const rows = args[Argument.rows] as number;
  const blocks = blockCount(rows);
  pseudoInverseBlocks(
    rows,
    arrayAt(arrays, args, Argument.a),
    arrayAt(arrays, args, Argument.b),
    args[Argument.capacity] as number,
    args[Argument.count] as number,
    arrayAt(arrays, args, Argument.x),
    arrayAt(arrays, args, Argument.y),
    arrayAt(arrays, args, Argument.table),
    part * (args[Argument.scratchStride] as number),
    firstBlock(blocks, part, parts),
    firstBlock(blocks, part + 1, parts),
  );
};

/** Indexed by ColumnKernel. */
export const COLUMN_KERNELS: readonly KernelBody[] = [dots, weightedSquares, addColumns, rotate, shift, pseudoInverse];
