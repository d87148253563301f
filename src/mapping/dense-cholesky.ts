// Cholesky factorization of a small dense symmetric positive definite matrix
// (an RBF-PU patch's kernel matrix, ~50 × 50) and solves with many right-hand
// sides at once (one per target point the patch covers). Solving four
// right-hand sides per pass over the factor lets each value of L loaded from
// memory serve four multiply-adds with four independent sums, several times
// faster in V8 than one solve after another, and as accurate (no explicit
// inverse is formed).
import { EnvelopeCholesky } from "./envelope-cholesky.ts";

export class DenseCholesky {
  /** L, row-major, lower triangle. */
  private lower: Float64Array;
  /** Lᵀ, row-major, upper triangle: backward substitution reads rows too. */
  private upper: Float64Array;
  private size = 0;
  /** Packed factorizations by size, kept: a setup factors thousands of patch matrices of a few dozen sizes. */
  private readonly packedBySize = new Map<number, EnvelopeCholesky>();
  /** The diagonal shift the last factorization needed (0: none). */
  shift = 0;

  constructor(capacity = 64) {
    this.lower = new Float64Array(capacity * capacity);
    this.upper = new Float64Array(capacity * capacity);
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
      this.upper = new Float64Array(n * n);
    }
    this.size = n;
    // The envelope factorization's blocked kernel is the fast one; dense is its special case.
    let packed = this.packedBySize.get(n);
    if (packed === undefined) {
      packed = EnvelopeCholesky.dense(n);
      this.packedBySize.set(n, packed);
    }
    const values = packed.values;
    let trace = 0;
    for (let i = 0; i < n; i++) trace += matrix[i * n + i] as number;
    this.shift = 0;
    for (let attempt = 0; ; attempt++) {
      let offset = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j <= i; j++) values[offset++] = (matrix[i * n + j] as number) + (i === j ? this.shift : 0);
      }
      try {
        packed.factor(label);
        break;
      } catch (error) {
        if (!regularize || attempt === 4) throw error;
        this.shift = (trace / n) * 1e-12 * 100 ** attempt;
      }
    }
    const l = this.lower;
    const u = this.upper;
    let offset = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        const value = values[offset++] as number;
        l[i * n + j] = value;
        u[j * n + i] = value;
      }
    }
  }

  /** Overwrites each of the `rows` rows of `b` (row-major, rows × n) with A⁻¹ times it. */
  solveRows(b: Float64Array, rows: number): void {
    const n = this.size;
    const l = this.lower;
    const u = this.upper;
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
        const inverse = 1 / (l[ri + i] as number);
        s0 *= inverse;
        s1 *= inverse;
        s2 *= inverse;
        s3 *= inverse;
        b[b0 + i] = s0;
        b[b1 + i] = s1;
        b[b2 + i] = s2;
        b[b3 + i] = s3;
        const lji = l[rj + i] as number;
        const next = 1 / (l[rj + i + 1] as number);
        b[b0 + i + 1] = (t0 - lji * s0) * next;
        b[b1 + i + 1] = (t1 - lji * s1) * next;
        b[b2 + i + 1] = (t2 - lji * s2) * next;
        b[b3 + i + 1] = (t3 - lji * s3) * next;
      }
      if (i < n) this.forwardRow(b, i, b0, b1, b2, b3);
      // Lᵀ x = y, two rows of Lᵀ at a time, from the bottom.
      i = n - 1;
      for (; i - 1 >= 0; i -= 2) {
        const ri = i * n;
        const rj = ri - n;
        let s0 = b[b0 + i] as number;
        let s1 = b[b1 + i] as number;
        let s2 = b[b2 + i] as number;
        let s3 = b[b3 + i] as number;
        let t0 = b[b0 + i - 1] as number;
        let t1 = b[b1 + i - 1] as number;
        let t2 = b[b2 + i - 1] as number;
        let t3 = b[b3 + i - 1] as number;
        for (let k = i + 1; k < n; k++) {
          const uik = u[ri + k] as number;
          const ujk = u[rj + k] as number;
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
        const inverse = 1 / (u[ri + i] as number);
        s0 *= inverse;
        s1 *= inverse;
        s2 *= inverse;
        s3 *= inverse;
        b[b0 + i] = s0;
        b[b1 + i] = s1;
        b[b2 + i] = s2;
        b[b3 + i] = s3;
        const uji = u[rj + i] as number;
        const next = 1 / (u[rj + i - 1] as number);
        b[b0 + i - 1] = (t0 - uji * s0) * next;
        b[b1 + i - 1] = (t1 - uji * s1) * next;
        b[b2 + i - 1] = (t2 - uji * s2) * next;
        b[b3 + i - 1] = (t3 - uji * s3) * next;
      }
      if (i === 0) this.backwardRow(b, 0, b0, b1, b2, b3);
    }
    for (; row < rows; row++) {
      const base = row * n;
      for (let i = 0; i < n; i++) {
        let sum = b[base + i] as number;
        for (let k = 0; k < i; k++) sum -= (l[i * n + k] as number) * (b[base + k] as number);
        b[base + i] = sum / (l[i * n + i] as number);
      }
      for (let i = n - 1; i >= 0; i--) {
        let sum = b[base + i] as number;
        for (let k = i + 1; k < n; k++) sum -= (u[i * n + k] as number) * (b[base + k] as number);
        b[base + i] = sum / (u[i * n + i] as number);
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
    const inverse = 1 / (l[ri + i] as number);
    b[b0 + i] = s0 * inverse;
    b[b1 + i] = s1 * inverse;
    b[b2 + i] = s2 * inverse;
    b[b3 + i] = s3 * inverse;
  }

  /** Backward substitution of row i alone, for four right-hand sides. */
  private backwardRow(b: Float64Array, i: number, b0: number, b1: number, b2: number, b3: number): void {
    const n = this.size;
    const u = this.upper;
    const ri = i * n;
    let s0 = b[b0 + i] as number;
    let s1 = b[b1 + i] as number;
    let s2 = b[b2 + i] as number;
    let s3 = b[b3 + i] as number;
    for (let k = i + 1; k < n; k++) {
      const uik = u[ri + k] as number;
      s0 -= uik * (b[b0 + k] as number);
      s1 -= uik * (b[b1 + k] as number);
      s2 -= uik * (b[b2 + k] as number);
      s3 -= uik * (b[b3 + k] as number);
    }
    const inverse = 1 / (u[ri + i] as number);
    b[b0 + i] = s0 * inverse;
    b[b1 + i] = s1 * inverse;
    b[b2 + i] = s2 * inverse;
    b[b3 + i] = s3 * inverse;
  }
}
