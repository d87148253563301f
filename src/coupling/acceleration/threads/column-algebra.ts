// coupling/acceleration/threads/ owns the quasi-Newton column algebra: fixed row blocks, run across a team of kernel workers.
// It must not know the accelerations, nor let the thread count change a bit: per-block sums are added in block order.

// The column algebra of a quasi-Newton acceleration on a vector of `rows`
// values: the O(rows · columns) products and updates of its tall matrices
// (V, W, Q, the factored Jacobian), each cut into fixed row blocks
// (row-blocks.ts) and, when the vector is large and the acceleration has
// more than one thread, run across a kernel team (kernel-team.ts): part 0 on
// the calling thread, the other parts on workers, partial sums added here in
// block order. The results are the same bits on any thread count; only the
// time differs. Arrays the kernels may run on are allocated here (over a
// SharedArrayBuffer when there is a team); a kernel handed an array that was
// not runs on the calling thread alone, with the same result.
//
// Every method takes arrays and integers only (a double crossing a call that
// is not inlined is boxed) and allocates nothing.

import { Argument, ColumnKernel } from "./column-kernel-table.ts";
import {
  addColumnBlocks,
  columnDotBlocks,
  pseudoInverseBlocks,
  rotateColumnBlocks,
  shiftColumnBlocks,
  weightedSquareBlocks,
} from "./column-kernels.ts";
import { AccelerationThreadError, KernelTeam } from "./kernel-team.ts";
import { blockCount, firstBlock } from "./row-blocks.ts";

/**
 * A kernel call that touches fewer values (rows × columns) than this stays on
 * the calling thread. Waking a sleeping worker and waiting for it costs
 * 70–100 µs on a busy two-core machine; measured there, a product of 2^16
 * values takes 94 µs on one thread and 126 µs on two, 2^17 values 191 µs and
 * 156 µs, 2^18 values 380 µs and 272 µs (2^20: 1493 µs and 879 µs). So from
 * 2^18 values (2 MiB of one matrix) on, two threads clearly pay.
 */
export const MIN_THREADED_VALUES = 1 << 18;
/** A vector shorter than this starts no team at all, however many threads are asked for. */
export const MIN_THREADED_ROWS = 1 << 15;
/** Columns a kernel call takes at once (more are done in turn, which changes no result): the partial sums' width. */
const COLUMN_CHUNK = 128;
const WORKER_ENTRY = new URL("./kernel-worker.ts", import.meta.url);

export interface ColumnAlgebraOptions {
  /** Threads the kernels may use, the calling thread's included (1: none started). */
  threads?: number;
  /** The most columns a factorisation whose pseudo-inverse is taken holds. */
  maxColumns?: number;
  /** The module a worker loads (tests give one with extra kernels). */
  workerEntry?: URL;
}

export class ColumnAlgebra {
  readonly rows: number;
  readonly blocks: number;
  /** Rotations for rotateColumns, three numbers each (left column, c, s); room for `rotationCapacity`. */
  readonly rotations: Float64Array;
  readonly rotationCapacity = COLUMN_CHUNK;
  private readonly team: KernelTeam | undefined;
  private readonly partials: Float64Array;
  private readonly factors: Float64Array;
  private readonly scratch: Float64Array;
  private readonly scratchStride: number;

  constructor(rows: number, options: ColumnAlgebraOptions = {}) {
    const threads = options.threads ?? 1;
    if (!Number.isInteger(threads) || threads < 1 || threads > 256) {
      throw new AccelerationThreadError(`threads must be a whole number from 1 to 256; got ${threads}`);
    }
    this.rows = rows;
    this.blocks = blockCount(rows);
    this.team =
      threads > 1 && rows >= MIN_THREADED_ROWS
        ? KernelTeam.start(threads, options.workerEntry ?? WORKER_ENTRY)
        : undefined;
    const parts = this.team === undefined ? 1 : this.team.parts;
    this.partials = this.allocate(this.blocks * COLUMN_CHUNK);
    this.factors = this.allocate(COLUMN_CHUNK);
    this.rotations = this.allocate(3 * COLUMN_CHUNK);
    this.scratchStride = (options.maxColumns ?? 0) + 1;
    this.scratch = this.allocate(parts * this.scratchStride);
  }

  /** Threads the kernels run on (1 when the vector is too short for a team). */
  get threads(): number {
    return this.team === undefined ? 1 : this.team.parts;
  }

  /** A zeroed array the kernels can run on from any thread. */
  allocate(length: number): Float64Array {
    const team = this.team;
    if (team === undefined || length === 0) return new Float64Array(length);
    const array = new Float64Array(new SharedArrayBuffer(length * 8));
    team.share(array);
    return array;
  }

  /** out[j] ← a_jᵀ x for the `count` columns of a from aOffset (x from xOffset). */
  dots(a: Float64Array, aOffset: number, count: number, x: Float64Array, xOffset: number, out: Float64Array): void {
    this.reduceColumns(ColumnKernel.dots, a, aOffset, count, x, xOffset, out);
  }

  /** out[j] ← Σ_row (a_j[row] weights[row])², the squared norm of column j in the weights. */
  weightedSquares(a: Float64Array, aOffset: number, count: number, weights: Float64Array, out: Float64Array): void {
    this.reduceColumns(ColumnKernel.weightedSquares, a, aOffset, count, weights, 0, out);
  }

  /**
   * y ← y + Σ_j f_j a_j (y from yOffset), f_j = factors[j] or −factors[j]
   * when `negate` (y − f a and y + (−f) a are the same number); a column whose
   * factor is 0 is passed over when `skipZeros`.
   */
  addColumns(
    a: Float64Array,
    aOffset: number,
    count: number,
    factors: Float64Array,
    negate: boolean,
    skipZeros: boolean,
    y: Float64Array,
    yOffset: number,
  ): void {
    const rows = this.rows;
    const chunkFactors = this.factors;
    for (let done = 0; done < count; done += COLUMN_CHUNK) {
      const chunk = Math.min(COLUMN_CHUNK, count - done);
      const offset = aOffset + done * rows;
      for (let column = 0; column < chunk; column++) {
        const factor = factors[done + column] as number;
        chunkFactors[column] = negate ? -factor : factor;
      }
      const team = this.teamFor(chunk, a, y);
      if (team !== undefined) {
        const args = this.columnArguments(team, a, offset, chunk);
        args[Argument.table] = team.slotOf(chunkFactors);
        args[Argument.flag] = skipZeros ? 1 : 0;
        args[Argument.y] = team.slotOf(y);
        args[Argument.yOffset] = yOffset;
        team.dispatch(ColumnKernel.addColumns);
      }
      addColumnBlocks(rows, a, offset, chunk, chunkFactors, skipZeros, y, yOffset, 0, this.callerEndBlock(team));
      team?.finish();
    }
  }

  /** Applies the first `count` (≤ rotationCapacity) rotations in `rotations` to columns of q, in order. */
  rotateColumns(q: Float64Array, count: number): void {
    if (count === 0) return;
    const rows = this.rows;
    const rotations = this.rotations;
    const team = this.teamFor(2 * count, q, q);
    if (team !== undefined) {
      const args = this.columnArguments(team, q, 0, count);
      args[Argument.table] = team.slotOf(rotations);
      team.dispatch(ColumnKernel.rotate);
    }
    rotateColumnBlocks(rows, q, rotations, count, 0, this.callerEndBlock(team));
    team?.finish();
  }

  /** Moves columns 0 … count − 1 of a one column to the right (column count is overwritten). */
  shiftColumns(a: Float64Array, count: number): void {
    if (count === 0) return;
    const team = this.teamFor(2 * count, a, a);
    if (team === undefined) {
      a.copyWithin(this.rows, 0, count * this.rows);
      return;
    }
    this.columnArguments(team, a, 0, count);
    team.dispatch(ColumnKernel.shift);
    shiftColumnBlocks(this.rows, a, count, 0, firstBlock(this.blocks, 1, team.parts));
    team.finish();
  }

  /**
   * into (cols × rows, row-major) ← R⁻¹ Qᵀ P for the cols columns of q and
   * R (row-major, row length `capacity`) and P = diag(weights): row by row, each
   * row's triangular solve on its own.
   */
  pseudoInverse(
    q: Float64Array,
    r: Float64Array,
    capacity: number,
    cols: number,
    weights: Float64Array,
    into: Float64Array,
  ): void {
    const rows = this.rows;
    if (cols > this.scratchStride) throw new Error(`the column algebra was sized for ${this.scratchStride} columns`);
    const candidate = this.teamFor(cols * cols, q, into);
    const team =
      candidate === undefined || candidate.slotOf(r) < 0 || candidate.slotOf(weights) < 0 ? undefined : candidate;
    if (team !== undefined) {
      const args = this.columnArguments(team, q, 0, cols);
      args[Argument.b] = team.slotOf(r);
      args[Argument.capacity] = capacity;
      args[Argument.x] = team.slotOf(weights);
      args[Argument.y] = team.slotOf(into);
      args[Argument.table] = team.slotOf(this.scratch);
      args[Argument.scratchStride] = this.scratchStride;
      team.dispatch(ColumnKernel.pseudoInverse);
    }
    pseudoInverseBlocks(rows, q, r, capacity, cols, weights, into, this.scratch, 0, 0, this.callerEndBlock(team));
    team?.finish();
  }

  /** Stops the workers, if any; the algebra must not be used afterwards. */
  async close(): Promise<void> {
    await this.team?.close();
  }

  /**
   * out[j] ← a per-column sum over the rows of a and x (the dots, or the
   * weighted squares with x the weights, which read no xOffset): chunk by
   * chunk of columns, each block's partial sums added in block order.
   */
  private reduceColumns(
    kernel: typeof ColumnKernel.dots | typeof ColumnKernel.weightedSquares,
    a: Float64Array,
    aOffset: number,
    count: number,
    x: Float64Array,
    xOffset: number,
    out: Float64Array,
  ): void {
    const rows = this.rows;
    const partials = this.partials;
    for (let done = 0; done < count; done += COLUMN_CHUNK) {
      const chunk = Math.min(COLUMN_CHUNK, count - done);
      const offset = aOffset + done * rows;
      const team = this.teamFor(chunk, a, x);
      if (team !== undefined) {
        const args = this.columnArguments(team, a, offset, chunk);
        args[Argument.x] = team.slotOf(x);
        args[Argument.xOffset] = xOffset;
        args[Argument.table] = team.slotOf(partials);
        team.dispatch(kernel);
      }
      const end = this.callerEndBlock(team);
      if (kernel === ColumnKernel.dots) columnDotBlocks(rows, a, offset, chunk, x, xOffset, partials, 0, end);
      else weightedSquareBlocks(rows, a, offset, chunk, x, partials, 0, end);
      team?.finish();
      this.combine(chunk, out, done);
    }
  }

  /** Writes the arguments every column kernel reads (the rows, the matrix a, where its columns start, how many) and returns the team's argument words for the rest. */
  private columnArguments(team: KernelTeam, a: Float64Array, aOffset: number, count: number): Int32Array {
    const args = team.args;
    args[Argument.rows] = this.rows;
    args[Argument.a] = team.slotOf(a);
    args[Argument.aOffset] = aOffset;
    args[Argument.count] = count;
    return args;
  }

  /** The end (exclusive) of the calling thread's blocks: all of them without a team, part 0's share with one. */
  private callerEndBlock(team: KernelTeam | undefined): number {
    return team === undefined ? this.blocks : firstBlock(this.blocks, 1, team.parts);
  }

  /** The team when a call of `columns` columns is worth it and both long arrays are shared, else undefined. */
  private teamFor(columns: number, first: Float64Array, second: Float64Array): KernelTeam | undefined {
    const team = this.team;
    if (team === undefined || columns * this.rows < MIN_THREADED_VALUES) return undefined;
    if (team.slotOf(first) < 0 || team.slotOf(second) < 0) return undefined;
    return team;
  }

  /** out[from + j] ← Σ over blocks, in block order, of the partial sums of column j. */
  private combine(count: number, out: Float64Array, from: number): void {
    const partials = this.partials;
    const blocks = this.blocks;
    for (let column = 0; column < count; column++) {
      let sum = partials[column] as number;
      for (let block = 1; block < blocks; block++) sum += partials[block * count + column] as number;
      out[from + column] = sum;
    }
  }
}
