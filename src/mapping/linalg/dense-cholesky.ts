// Cholesky factorization of a small dense symmetric positive definite matrix
// (an RBF-PU patch's kernel matrix, ~50 × 50) and solves with many right-hand
// sides at once (one per target point the patch covers). Solving four
// right-hand sides per pass over the factor lets each value of L loaded from
// memory serve four multiply-adds with four independent sums, several times
// faster in V8 than one solve after another, and as accurate (no explicit
// inverse is formed).
import { MappingError } from "../mapping-error.ts";

export class DenseCholesky {
  /** L, row-major, lower triangle. */
  private lower: Float64Array;
  private size = 0;
  /** 1 / L[i][i]. */
  private inverseDiagonal = new Float64Array(64);
  /** Dot products of a block's four rows over the columns left of it. */
  private readonly blockSums = new Float64Array(16);
  /** The diagonal shift the last factorization needed (0: none). */
  shift = 0;

  constructor(capacity = 64) {
    this.lower = new Float64Array(capacity * capacity);
  }

  /**
   * Factors the n×n row-major SPD `matrix` (lower triangle read; not
   * modified). With `regularize`, a matrix that is positive definite in exact
   * arithmetic but not in floating point (a very smooth kernel on densely
   * sampled points) is factored with a tiny diagonal shift instead, 10⁻¹² of
   * the mean diagonal and up by 100× at a time; `shift` says which was used.
   */
  factor(matrix: Float64Array, n: number, label: string, regularize = false): void {
    if (this.lower.length < n * n) {
      this.lower = new Float64Array(n * n);
    }
    if (this.inverseDiagonal.length < n) this.inverseDiagonal = new Float64Array(n);
    this.size = n;
    let trace = 0;
    for (let i = 0; i < n; i++) trace += matrix[i * n + i] as number;
    this.shift = 0;
    for (let attempt = 0; ; attempt++) {
      const failed = this.factorInPlace(matrix, n);
      if (failed < 0) break;
      if (!regularize || attempt === 4) {
        throw new MappingError(
          `${label}: the kernel matrix is not positive definite at row ${failed}; the points may contain duplicate coordinates, or the kernel's radius is too large for its conditioning (try a smaller radius)`,
        );
      }
      this.shift = (trace / n) * 1e-12 * 100 ** attempt;
    }
  }

  /**
   * L of `matrix` + shift·I into `lower`, rows by dot products over contiguous
   * row prefixes, four rows by two columns at a time (each value loaded serves
   * two or four multiply-adds). Returns the row whose pivot is not positive,
   * or -1.
   */
  private factorInPlace(matrix: Float64Array, n: number): number {
    const l = this.lower;
    const inverse = this.inverseDiagonal;
    const shift = this.shift;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) l[i * n + j] = matrix[i * n + j] as number;
      l[i * n + i] = (l[i * n + i] as number) + shift;
    }
    let first = 0;
    for (; first < n; first += 4) {
      const last = Math.min(first + 4, n) - 1;
      // Rows of this block; missing rows of a short last block alias the last row (results discarded).
      const r0 = first * n;
      const r1 = Math.min(first + 1, last) * n;
      const r2 = Math.min(first + 2, last) * n;
      const r3 = last * n;
      const rows = last - first + 1;
      // Columns left of the block (an even number of them), two at a time.
      eliminateColumnPairs(l, null, n, inverse, r0, r1, r2, r3, rows, 0, first);
      // The block's own triangle: first the dot products over the columns left
      // of the block (ten sums from four loads per column), then what the
      // block's own entries add.
      let s00 = 0;
      let s10 = 0;
      let s11 = 0;
      let s20 = 0;
      let s21 = 0;
      let s22 = 0;
      let s30 = 0;
      let s31 = 0;
      let s32 = 0;
      let s33 = 0;
      for (let k = 0; k < first; k++) {
        const x0 = l[r0 + k] as number;
        const x1 = l[r1 + k] as number;
        const x2 = l[r2 + k] as number;
        const x3 = l[r3 + k] as number;
        s00 += x0 * x0;
        s10 += x1 * x0;
        s11 += x1 * x1;
        s20 += x2 * x0;
        s21 += x2 * x1;
        s22 += x2 * x2;
        s30 += x3 * x0;
        s31 += x3 * x1;
        s32 += x3 * x2;
        s33 += x3 * x3;
      }
      const sums = this.blockSums;
      sums[0] = s00;
      sums[4] = s10;
      sums[5] = s11;
      sums[8] = s20;
      sums[9] = s21;
      sums[10] = s22;
      sums[12] = s30;
      sums[13] = s31;
      sums[14] = s32;
      sums[15] = s33;
      for (let a = 0; a < rows; a++) {
        const row = first + a;
        const r = row * n;
        for (let b = 0; b <= a; b++) {
          const j = first + b;
          const p = j * n;
          let sum = (l[r + j] as number) - (sums[a * 4 + b] as number);
          for (let k = first; k < j; k++) sum -= (l[r + k] as number) * (l[p + k] as number);
          if (b === a) {
            if (!(sum > 0)) return row;
            const pivot = Math.sqrt(sum);
            l[r + row] = pivot;
            inverse[row] = 1 / pivot;
          } else l[r + j] = sum * (inverse[j] as number);
        }
      }
    }
    return -1;
  }

  /** Overwrites each of the `rows` rows of `b` (row-major, rows × n) with A⁻¹ times it. */
  solveRows(b: Float64Array, rows: number): void {
    const n = this.size;
    let row = 0;
    for (; row + 3 < rows; row += 4) {
      substituteFour(this.lower, this.inverseDiagonal, b, row * n, n, false);
      substituteFour(this.lower, this.inverseDiagonal, b, row * n, n, true);
    }
    for (; row < rows; row++) solveOne(this.lower, this.inverseDiagonal, b, row * n, n);
  }
}

/**
 * The step of a blocked Cholesky factorization for the finished columns left
 * of a block of `rows` rows (at offsets r0..r3 of `a`; missing rows alias the
 * last): their entries in columns from `start` up to `first`, two columns at a
 * time, from their dot products with each pair of finished columns over the
 * columns from `start` before it, four rows by two columns at a time (each
 * value loaded serves two or four multiply-adds). Row i starts at origins[i]
 * of `a`, or at i·n when `origins` is null (a dense matrix). The pivots are
 * `inverse`'s reciprocals (the dense factorization keeps those), or when it is
 * null the diagonal of `a` itself (the envelope's). Returns the first column
 * not done (first − 1 when an odd number of columns was left).
 */
export function eliminateColumnPairs(
  a: Float64Array,
  origins: Int32Array | null,
  n: number,
  inverse: Float64Array | null,
  r0: number,
  r1: number,
  r2: number,
  r3: number,
  rows: number,
  start: number,
  first: number,
): number {
  const reciprocalPivots = inverse !== null;
  let column = start;
  for (; column + 1 < first; column += 2) {
    // Rows p = column and q = column + 1 are final.
    const p = origins === null ? column * n : (origins[column] as number);
    const q = origins === null ? p + n : (origins[column + 1] as number);
    const dp = inverse === null ? (a[p + column] as number) : (inverse[column] as number);
    const dq = inverse === null ? (a[q + column + 1] as number) : (inverse[column + 1] as number);
    let s00 = 0;
    let s01 = 0;
    let s10 = 0;
    let s11 = 0;
    let s20 = 0;
    let s21 = 0;
    let s30 = 0;
    let s31 = 0;
    for (let k = start; k < column; k++) {
      const lp = a[p + k] as number;
      const lq = a[q + k] as number;
      const x0 = a[r0 + k] as number;
      const x1 = a[r1 + k] as number;
      const x2 = a[r2 + k] as number;
      const x3 = a[r3 + k] as number;
      s00 += x0 * lp;
      s01 += x0 * lq;
      s10 += x1 * lp;
      s11 += x1 * lq;
      s20 += x2 * lp;
      s21 += x2 * lq;
      s30 += x3 * lp;
      s31 += x3 * lq;
    }
    const lqp = a[q + column] as number;
    finishColumnPair(a, r0, column, s00, s01, dp, lqp, dq, reciprocalPivots);
    if (rows > 1) finishColumnPair(a, r1, column, s10, s11, dp, lqp, dq, reciprocalPivots);
    if (rows > 2) finishColumnPair(a, r2, column, s20, s21, dp, lqp, dq, reciprocalPivots);
    if (rows > 3) finishColumnPair(a, r3, column, s30, s31, dp, lqp, dq, reciprocalPivots);
  }
  return column;
}

/**
 * Row r's entries in columns `column` and `column + 1`, from its dot products
 * with them (sp, sq), L[column + 1][column] (lqp) and the pivots.
 */
function finishColumnPair(
  a: Float64Array,
  r: number,
  column: number,
  sp: number,
  sq: number,
  dp: number,
  lqp: number,
  dq: number,
  reciprocalPivots: boolean,
): void {
  const left = (a[r + column] as number) - sp;
  const value = reciprocalPivots ? left * dp : left / dp;
  a[r + column] = value;
  const right = (a[r + column + 1] as number) - sq - value * lqp;
  a[r + column + 1] = reciprocalPivots ? right * dq : right / dq;
}

/** Both passes of the substitution for one right-hand side alone, row `base` of `b`. */
function solveOne(l: Float64Array, inverse: Float64Array, b: Float64Array, base: number, n: number): void {
  for (let i = 0; i < n; i++) {
    let sum = b[base + i] as number;
    for (let k = 0; k < i; k++) sum -= (l[i * n + k] as number) * (b[base + k] as number);
    b[base + i] = sum * (inverse[i] as number);
  }
  for (let i = n - 1; i >= 0; i--) {
    let sum = b[base + i] as number;
    for (let k = i + 1; k < n; k++) sum -= (l[k * n + i] as number) * (b[base + k] as number);
    b[base + i] = sum * (inverse[i] as number);
  }
}

/**
 * One pass of the substitution for four right-hand sides at once, rows b0,
 * b0 + n, b0 + 2n and b0 + 3n of `b`: L y = b (forward), or Lᵀ x = y
 * (`backward`, from the bottom). Two unknowns at a time, i and its neighbour
 * j, which also depends on i (each loaded value of b then serves two sums).
 * The coefficients of unknown i lie along row i of L going forward (stride 1)
 * and down column i going backward (stride n): L is small enough to stay in
 * the first-level cache, so reading it down columns costs nothing extra.
 */
function substituteFour(
  l: Float64Array,
  inverse: Float64Array,
  b: Float64Array,
  b0: number,
  n: number,
  backward: boolean,
): void {
  const b1 = b0 + n;
  const b2 = b1 + n;
  const b3 = b2 + n;
  const step = backward ? -1 : 1;
  const stride = backward ? n : 1;
  // From the coefficients of unknown i to those of j.
  const gap = backward ? -1 : n;
  let i = backward ? n - 1 : 0;
  for (; backward ? i - 1 >= 0 : i + 1 < n; i += 2 * step) {
    const j = i + step;
    const from = backward ? i + 1 : 0;
    const to = backward ? n : i;
    // L[j][i] going forward, Lᵀ[j][i] = L[i][j] going backward.
    const coupling = l[backward ? i * n + j : j * n + i] as number;
    let s0 = b[b0 + i] as number;
    let s1 = b[b1 + i] as number;
    let s2 = b[b2 + i] as number;
    let s3 = b[b3 + i] as number;
    let t0 = b[b0 + j] as number;
    let t1 = b[b1 + j] as number;
    let t2 = b[b2 + j] as number;
    let t3 = b[b3 + j] as number;
    for (let k = from, at = (backward ? i : i * n) + from * stride; k < to; k++, at += stride) {
      const lik = l[at] as number;
      const ljk = l[at + gap] as number;
      const y0 = b[b0 + k] as number;
      const y1 = b[b1 + k] as number;
      const y2 = b[b2 + k] as number;
      const y3 = b[b3 + k] as number;
      s0 -= lik * y0;
      s1 -= lik * y1;
      s2 -= lik * y2;
      s3 -= lik * y3;
      t0 -= ljk * y0;
      t1 -= ljk * y1;
      t2 -= ljk * y2;
      t3 -= ljk * y3;
    }
    const di = inverse[i] as number;
    s0 *= di;
    s1 *= di;
    s2 *= di;
    s3 *= di;
    b[b0 + i] = s0;
    b[b1 + i] = s1;
    b[b2 + i] = s2;
    b[b3 + i] = s3;
    const dj = inverse[j] as number;
    b[b0 + j] = (t0 - coupling * s0) * dj;
    b[b1 + j] = (t1 - coupling * s1) * dj;
    b[b2 + j] = (t2 - coupling * s2) * dj;
    b[b3 + j] = (t3 - coupling * s3) * dj;
  }
  // The unknown left over when n is odd: the last going forward, the first going backward.
  if (backward ? i !== 0 : i >= n) return;
  let s0 = b[b0 + i] as number;
  let s1 = b[b1 + i] as number;
  let s2 = b[b2 + i] as number;
  let s3 = b[b3 + i] as number;
  const from = backward ? 1 : 0;
  const to = backward ? n : i;
  for (let k = from, at = (backward ? 0 : i * n) + from * stride; k < to; k++, at += stride) {
    const lik = l[at] as number;
    s0 -= lik * (b[b0 + k] as number);
    s1 -= lik * (b[b1 + k] as number);
    s2 -= lik * (b[b2 + k] as number);
    s3 -= lik * (b[b3 + k] as number);
  }
  const di = inverse[i] as number;
  b[b0 + i] = s0 * di;
  b[b1 + i] = s1 * di;
  b[b2 + i] = s2 * di;
  b[b3 + i] = s3 * di;
}
