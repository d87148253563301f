// The column kernels of the quasi-Newton accelerations, over a range of row
// blocks (row-blocks.ts): the products of a tall column-major matrix (rows ×
// count, column j at offset + j·rows) with a vector, and the updates that
// sweep all its columns. Each is a plain function of typed arrays and
// integers, run by the calling thread for its part and by the kernel team's
// workers for theirs; reductions leave one partial sum per block and column
// (partials[block · count + column]) for the caller to add in block order,
// row-wise updates do each row's operations in the order a single loop does,
// so any split gives the same bits.
import { BLOCK_ROWS } from "./row-blocks.ts";

/** partials[block · count + j] ← Σ over the block's rows of a_j[row] x[row]. */
export function columnDotBlocks(
  rows: number,
  a: Float64Array,
  aOffset: number,
  count: number,
  x: Float64Array,
  xOffset: number,
  partials: Float64Array,
  firstBlock: number,
  endBlock: number,
): void {
  for (let block = firstBlock; block < endBlock; block++) {
    const begin = block * BLOCK_ROWS;
    const end = Math.min(rows, begin + BLOCK_ROWS);
    for (let column = 0; column < count; column++) {
      const base = aOffset + column * rows;
      let dot = 0;
      for (let row = begin; row < end; row++) dot += (a[base + row] as number) * (x[xOffset + row] as number);
      partials[block * count + column] = dot;
    }
  }
}

/** partials[block · count + j] ← Σ over the block's rows of (a_j[row] weights[row])². */
export function weightedSquareBlocks(
  rows: number,
  a: Float64Array,
  aOffset: number,
  count: number,
  weights: Float64Array,
  partials: Float64Array,
  firstBlock: number,
  endBlock: number,
): void {
  for (let block = firstBlock; block < endBlock; block++) {
    const begin = block * BLOCK_ROWS;
    const end = Math.min(rows, begin + BLOCK_ROWS);
    for (let column = 0; column < count; column++) {
      const base = aOffset + column * rows;
      let squares = 0;
      for (let row = begin; row < end; row++) squares += ((a[base + row] as number) * (weights[row] as number)) ** 2;
      partials[block * count + column] = squares;
    }
  }
}

/**
 * y ← y + Σ_j factors[j] a_j over the blocks' rows, column after column (a
 * column whose factor is 0 is passed over when `skipZeros`, as the loops it
 * replaces did).
 */
export function addColumnBlocks(
  rows: number,
  a: Float64Array,
  aOffset: number,
  count: number,
  factors: Float64Array,
  skipZeros: boolean,
  y: Float64Array,
  yOffset: number,
  firstBlock: number,
  endBlock: number,
): void {
  const begin = firstBlock * BLOCK_ROWS;
  const end = Math.min(rows, endBlock * BLOCK_ROWS);
  for (let column = 0; column < count; column++) {
    const factor = factors[column] as number;
    if (skipZeros && factor === 0) continue;
    const base = aOffset + column * rows;
    for (let row = begin; row < end; row++)
      y[yOffset + row] = (y[yOffset + row] as number) + factor * (a[base + row] as number);
  }
}

/**
 * Applies `count` Givens rotations in order to columns of q: rotation i turns
 * columns left = rotations[3i] and left + 1 by c = rotations[3i + 1],
 * s = rotations[3i + 2] (x ← c x + s y, y ← c y − s x).
 */
export function rotateColumnBlocks(
  rows: number,
  q: Float64Array,
  rotations: Float64Array,
  count: number,
  firstBlock: number,
  endBlock: number,
): void {
  const begin = firstBlock * BLOCK_ROWS;
  const end = Math.min(rows, endBlock * BLOCK_ROWS);
  for (let index = 0; index < count; index++) {
    const left = (rotations[3 * index] as number) * rows;
    const right = left + rows;
    const c = rotations[3 * index + 1] as number;
    const s = rotations[3 * index + 2] as number;
    for (let row = begin; row < end; row++) {
      const x = q[left + row] as number;
      const y = q[right + row] as number;
      q[left + row] = c * x + s * y;
      q[right + row] = c * y - s * x;
    }
  }
}

/** Moves columns 0 … count − 1 of a one column to the right, over the blocks' rows. */
export function shiftColumnBlocks(
  rows: number,
  a: Float64Array,
  count: number,
  firstBlock: number,
  endBlock: number,
): void {
  const begin = firstBlock * BLOCK_ROWS;
  const end = Math.min(rows, endBlock * BLOCK_ROWS);
  if (end <= begin) return;
  for (let column = count - 1; column >= 0; column--) {
    const from = column * rows;
    a.copyWithin(from + rows + begin, from + begin, from + end);
  }
}

/**
 * into[j · rows + row] ← (R⁻¹ (Q's row `row`)ᵀ)_j · weights[row] for the
 * blocks' rows: R is cols × cols upper triangular, row-major with row length
 * `capacity`; `scratch` holds cols values from `scratchOffset`.
 */
export function pseudoInverseBlocks(
  rows: number,
  q: Float64Array,
  r: Float64Array,
  capacity: number,
  cols: number,
  weights: Float64Array,
  into: Float64Array,
  scratch: Float64Array,
  scratchOffset: number,
  firstBlock: number,
  endBlock: number,
): void {
  const begin = firstBlock * BLOCK_ROWS;
  const end = Math.min(rows, endBlock * BLOCK_ROWS);
  const b = scratchOffset;
  for (let row = begin; row < end; row++) {
    for (let column = 0; column < cols; column++) scratch[b + column] = q[column * rows + row] as number;
    for (let index = cols - 1; index >= 0; index--) {
      let value = scratch[b + index] as number;
      for (let column = index + 1; column < cols; column++)
        value -= (r[index * capacity + column] as number) * (scratch[b + column] as number);
      scratch[b + index] = value / (r[index * capacity + index] as number);
    }
    const weight = weights[row] as number;
    for (let column = 0; column < cols; column++) into[column * rows + row] = (scratch[b + column] as number) * weight;
  }
}
