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
      let column = 0;
      // Columns left of the block, two at a time: rows p = column and q = column + 1 are final.
      for (; column + 1 < first; column += 2) {
        const p = column * n;
        const q = p + n;
        let s00 = 0;
        let s01 = 0;
        let s10 = 0;
        let s11 = 0;
        let s20 = 0;
        let s21 = 0;
        let s30 = 0;
        let s31 = 0;
        for (let k = 0; k < column; k++) {
          const lp = l[p + k] as number;
          const lq = l[q + k] as number;
          const x0 = l[r0 + k] as number;
          const x1 = l[r1 + k] as number;
          const x2 = l[r2 + k] as number;
          const x3 = l[r3 + k] as number;
          s00 += x0 * lp;
          s01 += x0 * lq;
          s10 += x1 * lp;
          s11 += x1 * lq;
          s20 += x2 * lp;
          s21 += x2 * lq;
          s30 += x3 * lp;
          s31 += x3 * lq;
        }
        const dp = inverse[column] as number;
        const lqp = l[q + column] as number;
        const dq = inverse[column + 1] as number;
        let value = ((l[r0 + column] as number) - s00) * dp;
        l[r0 + column] = value;
        l[r0 + column + 1] = ((l[r0 + column + 1] as number) - s01 - value * lqp) * dq;
        if (rows > 1) {
          value = ((l[r1 + column] as number) - s10) * dp;
          l[r1 + column] = value;
          l[r1 + column + 1] = ((l[r1 + column + 1] as number) - s11 - value * lqp) * dq;
        }
        if (rows > 2) {
          value = ((l[r2 + column] as number) - s20) * dp;
          l[r2 + column] = value;
          l[r2 + column + 1] = ((l[r2 + column + 1] as number) - s21 - value * lqp) * dq;
        }
        if (rows > 3) {
          value = ((l[r3 + column] as number) - s30) * dp;
          l[r3 + column] = value;
          l[r3 + column + 1] = ((l[r3 + column + 1] as number) - s31 - value * lqp) * dq;
        }
      }
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
    const l = this.lower;
    const inverse = this.inverseDiagonal;
    let row = 0;
    for (; row + 3 < rows; row += 4) {
      const b0 = row * n;
      const b1 = b0 + n;
      const b2 = b1 + n;
      const b3 = b2 + n;
      // L y = b, two rows of L at a time (each loaded value of y then serves two sums).
      let i = 0;
      for (; i + 1 < n; i += 2) {
        const ri = i * n;
        const rj = ri + n;
        let s0 = b[b0 + i] as number;
        let s1 = b[b1 + i] as number;
        let s2 = b[b2 + i] as number;
        let s3 = b[b3 + i] as number;
        let t0 = b[b0 + i + 1] as number;
        let t1 = b[b1 + i + 1] as number;
        let t2 = b[b2 + i + 1] as number;
        let t3 = b[b3 + i + 1] as number;
        for (let k = 0; k < i; k++) {
          const lik = l[ri + k] as number;
          const ljk = l[rj + k] as number;
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
        const lji = l[rj + i] as number;
        const dj = inverse[i + 1] as number;
        b[b0 + i + 1] = (t0 - lji * s0) * dj;
        b[b1 + i + 1] = (t1 - lji * s1) * dj;
        b[b2 + i + 1] = (t2 - lji * s2) * dj;
        b[b3 + i + 1] = (t3 - lji * s3) * dj;
      }
      if (i < n) this.forwardRow(b, i, b0, b1, b2, b3);
      // Lᵀ x = y, two rows of Lᵀ (columns i and i − 1 of L, side by side in
      // each row of L) at a time, from the bottom. L is small enough to stay
      // in the first-level cache, so reading it down columns costs nothing extra.
      i = n - 1;
      for (; i - 1 >= 0; i -= 2) {
        let s0 = b[b0 + i] as number;
        let s1 = b[b1 + i] as number;
        let s2 = b[b2 + i] as number;
        let s3 = b[b3 + i] as number;
        let t0 = b[b0 + i - 1] as number;
        let t1 = b[b1 + i - 1] as number;
        let t2 = b[b2 + i - 1] as number;
        let t3 = b[b3 + i - 1] as number;
        for (let k = i + 1; k < n; k++) {
          const rk = k * n + i;
          const uik = l[rk] as number;
          const ujk = l[rk - 1] as number;
          const x0 = b[b0 + k] as number;
          const x1 = b[b1 + k] as number;
          const x2 = b[b2 + k] as number;
          const x3 = b[b3 + k] as number;
          s0 -= uik * x0;
          s1 -= uik * x1;
          s2 -= uik * x2;
          s3 -= uik * x3;
          t0 -= ujk * x0;
          t1 -= ujk * x1;
          t2 -= ujk * x2;
          t3 -= ujk * x3;
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
        const uji = l[i * n + i - 1] as number;
        const dj = inverse[i - 1] as number;
        b[b0 + i - 1] = (t0 - uji * s0) * dj;
        b[b1 + i - 1] = (t1 - uji * s1) * dj;
        b[b2 + i - 1] = (t2 - uji * s2) * dj;
        b[b3 + i - 1] = (t3 - uji * s3) * dj;
      }
      if (i === 0) this.backwardRow(b, 0, b0, b1, b2, b3);
    }
    for (; row < rows; row++) {
      const base = row * n;
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
  }

  /** Forward substitution of row i alone, for four right-hand sides. */
  private forwardRow(b: Float64Array, i: number, b0: number, b1: number, b2: number, b3: number): void {
    const n = this.size;
    const l = this.lower;
    const ri = i * n;
    let s0 = b[b0 + i] as number;
    let s1 = b[b1 + i] as number;
    let s2 = b[b2 + i] as number;
    let s3 = b[b3 + i] as number;
    for (let k = 0; k < i; k++) {
      const lik = l[ri + k] as number;
      s0 -= lik * (b[b0 + k] as number);
      s1 -= lik * (b[b1 + k] as number);
      s2 -= lik * (b[b2 + k] as number);
      s3 -= lik * (b[b3 + k] as number);
    }
    const inverse = this.inverseDiagonal[i] as number;
    b[b0 + i] = s0 * inverse;
    b[b1 + i] = s1 * inverse;
    b[b2 + i] = s2 * inverse;
    b[b3 + i] = s3 * inverse;
  }

  /** Backward substitution of row i alone, for four right-hand sides. */
  private backwardRow(b: Float64Array, i: number, b0: number, b1: number, b2: number, b3: number): void {
    const n = this.size;
    const l = this.lower;
    let s0 = b[b0 + i] as number;
    let s1 = b[b1 + i] as number;
    let s2 = b[b2 + i] as number;
    let s3 = b[b3 + i] as number;
    for (let k = i + 1; k < n; k++) {
      const uik = l[k * n + i] as number;
      s0 -= uik * (b[b0 + k] as number);
      s1 -= uik * (b[b1 + k] as number);
      s2 -= uik * (b[b2 + k] as number);
      s3 -= uik * (b[b3 + k] as number);
    }
    const inverse = this.inverseDiagonal[i] as number;
    b[b0 + i] = s0 * inverse;
    b[b1 + i] = s1 * inverse;
    b[b2 + i] = s2 * inverse;
    b[b3 + i] = s3 * inverse;
  }
}
