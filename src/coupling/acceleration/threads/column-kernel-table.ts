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

/** What a column kernel runs for one part: the row blocks first … end − 1 of a vector of `rows` values. */
type PartBlocksBody = (
  arrays: readonly Float64Array[],
  args: Int32Array,
  rows: number,
  first: number,
  end: number,
  part: number,
) => void;

/** The kernel body that cuts the rows into blocks (row-blocks.ts) and runs `body` on this part's share of them. */
function onPartBlocks(body: PartBlocksBody): KernelBody {
  return (arrays, args, part, parts) => {
    const rows = args[Argument.rows] as number;
    const blocks = blockCount(rows);
    body(arrays, args, rows, firstBlock(blocks, part, parts), firstBlock(blocks, part + 1, parts), part);
  };
}

const dots = onPartBlocks((arrays, args, rows, first, end) =>
  columnDotBlocks(
    rows,
    arrayAt(arrays, args, Argument.a),
    args[Argument.aOffset] as number,
    args[Argument.count] as number,
    arrayAt(arrays, args, Argument.x),
    args[Argument.xOffset] as number,
    arrayAt(arrays, args, Argument.table),
    first,
    end,
  ),
);

const weightedSquares = onPartBlocks((arrays, args, rows, first, end) =>
  weightedSquareBlocks(
    rows,
    arrayAt(arrays, args, Argument.a),
    args[Argument.aOffset] as number,
    args[Argument.count] as number,
    arrayAt(arrays, args, Argument.x),
    arrayAt(arrays, args, Argument.table),
    first,
    end,
  ),
);

const addColumns = onPartBlocks((arrays, args, rows, first, end) =>
  addColumnBlocks(
    rows,
    arrayAt(arrays, args, Argument.a),
    args[Argument.aOffset] as number,
    args[Argument.count] as number,
    arrayAt(arrays, args, Argument.table),
    (args[Argument.flag] as number) === 1,
    arrayAt(arrays, args, Argument.y),
    args[Argument.yOffset] as number,
    first,
    end,
  ),
);

const rotate = onPartBlocks((arrays, args, rows, first, end) =>
  rotateColumnBlocks(
    rows,
    arrayAt(arrays, args, Argument.a),
    arrayAt(arrays, args, Argument.table),
    args[Argument.count] as number,
    first,
    end,
  ),
);

const shift = onPartBlocks((arrays, args, rows, first, end) =>
  shiftColumnBlocks(rows, arrayAt(arrays, args, Argument.a), args[Argument.count] as number, first, end),
);

const pseudoInverse = onPartBlocks((arrays, args, rows, first, end, part) =>
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
    first,
    end,
  ),
);

/** Indexed by ColumnKernel. */
export const COLUMN_KERNELS: readonly KernelBody[] = [dots, weightedSquares, addColumns, rotate, shift, pseudoInverse];
