// Cholesky factorization A = L Lᵀ of a symmetric positive definite matrix
// stored by its envelope: row i keeps columns start(i)..i, and L has the same
// envelope (no fill outside it). A dense matrix is the case start(i) = 0; a
// compactly supported RBF matrix, ordered by reverse Cuthill–McKee, has a
// narrow envelope and factors in far less than n³/6 multiply-adds.
// Rows come in blocks of four sharing one start, and starts never decrease:
// then the factorization is row-oriented dot products over contiguous memory,
// computed four rows by two columns at a time so that each value loaded from
// memory serves several multiply-adds.
import { totalByteLength } from "../array-memory.ts";
import { MappingError } from "../mapping-error.ts";
import { nativeKernels, numericBackend } from "../numeric-backend.ts";
import { eliminateColumnPairs } from "./dense-cholesky.ts";

const BLOCK = 4;

export class EnvelopeCholesky {
  readonly size: number;
  /** Entries of row i live at values[origins[i] + column], for start(i) ≤ column ≤ i. */
  readonly values: Float64Array;
  private readonly starts: Int32Array;
  private readonly origins: Int32Array;
  private factored = false;
  /** Whether the native kernels factored it (then they also solve). */
  private native = false;
  private readonly pivot = new Float64Array(1);

  /** `firstColumns[i]`: the first column of row i with a (structurally) non-zero entry, ≤ i. */
  static fromFirstColumns(firstColumns: Int32Array): EnvelopeCholesky {
    return new EnvelopeCholesky(firstColumns);
  }

  static dense(size: number): EnvelopeCholesky {
    return new EnvelopeCholesky(new Int32Array(size));
  }

  private constructor(firstColumns: Int32Array) {
    const size = firstColumns.length;
    this.size = size;
    // Starts: never decreasing (L's rows below may reach as far left as any row above
    // them), then one per block of four rows (the smallest of the block).
    const starts = new Int32Array(size);
    let smallest = size;
    for (let row = size - 1; row >= 0; row--) {
      smallest = Math.min(smallest, firstColumns[row] as number, row);
      starts[row] = smallest;
    }
    for (let block = 0; block < size; block += BLOCK) {
      const start = starts[block] as number;
      for (let row = block; row < Math.min(block + BLOCK, size); row++) starts[row] = start;
    }
    this.starts = starts;
    // An origin may be negative: only origin + column, for stored columns, is an offset.
    this.origins = new Int32Array(size);
    let offset = 0;
    for (let row = 0; row < size; row++) {
      this.origins[row] = offset - (starts[row] as number);
      offset += row - (starts[row] as number) + 1;
    }
    this.values = new Float64Array(offset);
  }

  get byteLength(): number {
    return totalByteLength(this.values, this.starts, this.origins);
  }

  /** Stored entries of the lower triangle (the envelope's size). */
  get entryCount(): number {
    return this.values.length;
  }

  start(row: number): number {
    return this.starts[row] as number;
  }

  /** A[row][column] for column ≤ row; entries left of the envelope must be zero and are not stored. */
  set(row: number, column: number, value: number): void {
    if (column < (this.starts[row] as number) || column > row) {
      throw new RangeError(`entry (${row}, ${column}) is outside the envelope`);
    }
    this.values[(this.origins[row] as number) + column] = value;
  }

  get(row: number, column: number): number {
    if (column < (this.starts[row] as number) || column > row) return 0;
    return this.values[(this.origins[row] as number) + column] as number;
  }

  /**
   * Factors in place, with the native kernel on `threads` threads unless the
   * TypeScript backend is chosen. Throws a MappingError naming the row (and
   * `label`) if A is not positive definite.
   */
  factor(label = "the RBF system", threads = 1): void {
    if (numericBackend() === "native") {
      const failed = nativeKernels.envelopeFactor(this.values, this.starts, this.origins, threads, this.pivot);
      if (failed >= 0) throw notPositiveDefinite(label, failed, this.pivot[0] as number);
      this.factored = true;
      this.native = true;
      return;
    }
    this.factorTypeScript(label);
    this.factored = true;
    this.native = false;
  }

  private factorTypeScript(label: string): void {
    const a = this.values;
    const origins = this.origins;
    const starts = this.starts;
    const n = this.size;
    for (let first = 0; first < n; first += BLOCK) {
      const last = Math.min(first + BLOCK, n) - 1;
      const start = starts[first] as number;
      // Rows of this block; missing rows of a short last block alias the last row (results discarded).
      const r0 = origins[first] as number;
      const r1 = origins[Math.min(first + 1, last)] as number;
      const r2 = origins[Math.min(first + 2, last)] as number;
      const r3 = origins[Math.min(first + 3, last)] as number;
      const rows = last - first + 1;
      // Columns left of the block, two at a time.
      const column = eliminateColumnPairs(a, origins, n, null, r0, r1, r2, r3, rows, start, first);
      // What is left: at most one column before the block, then the block's own triangle.
      for (let row = first; row <= last; row++) {
        const r = origins[row] as number;
        for (let j = column; j <= row; j++) {
          const p = origins[j] as number;
          let sum = a[r + j] as number;
          for (let k = start; k < j; k++) sum -= (a[r + k] as number) * (a[p + k] as number);
          if (j === row) {
            if (!(sum > 0)) throw notPositiveDefinite(label, row, sum);
            a[r + row] = Math.sqrt(sum);
          } else a[r + j] = sum / (a[p + j] as number);
        }
      }
    }
  }

  /** x = A⁻¹ b using the factors (b and x may be the same array); allocates nothing. */
  solve(b: Float64Array, x: Float64Array): void {
    if (!this.factored) throw new Error("factor() before solve()");
    if (this.native) {
      nativeKernels.envelopeSolve(this.values, this.starts, this.origins, b, x);
      return;
    }
    const a = this.values;
    const origins = this.origins;
    const starts = this.starts;
    const n = this.size;
    // L y = b, row by row; four sums per row (independent chains, fewer loop trips).
    for (let row = 0; row < n; row++) {
      const r = origins[row] as number;
      let s0 = b[row] as number;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let k = starts[row] as number;
      for (; k + 3 < row; k += 4) {
        s0 -= (a[r + k] as number) * (x[k] as number);
        s1 -= (a[r + k + 1] as number) * (x[k + 1] as number);
        s2 -= (a[r + k + 2] as number) * (x[k + 2] as number);
        s3 -= (a[r + k + 3] as number) * (x[k + 3] as number);
      }
      for (; k < row; k++) s0 -= (a[r + k] as number) * (x[k] as number);
      x[row] = (s0 + s1 + (s2 + s3)) / (a[r + row] as number);
    }
    // Lᵀ x = y, by rows of L (contiguous): finish x[row], then remove it from the rows above.
    for (let row = n - 1; row >= 0; row--) {
      const r = origins[row] as number;
      const value = (x[row] as number) / (a[r + row] as number);
      x[row] = value;
      let k = starts[row] as number;
      for (; k + 3 < row; k += 4) {
        x[k] = (x[k] as number) - (a[r + k] as number) * value;
        x[k + 1] = (x[k + 1] as number) - (a[r + k + 1] as number) * value;
        x[k + 2] = (x[k + 2] as number) - (a[r + k + 2] as number) * value;
        x[k + 3] = (x[k + 3] as number) - (a[r + k + 3] as number) * value;
      }
      for (; k < row; k++) x[k] = (x[k] as number) - (a[r + k] as number) * value;
    }
  }
}

function notPositiveDefinite(label: string, row: number, pivot: number): MappingError {
  return new MappingError(
    `${label}: the kernel matrix is not positive definite at row ${row} (pivot ${pivot}); the points may contain duplicate coordinates, or the kernel's radius is too large for its conditioning (try a smaller radius)`,
  );
}
