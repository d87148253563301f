// A thin QR factorisation V = Q R of the quasi-Newton least-squares matrix
// that is updated, not recomputed, as columns come and go: a column inserted
// anywhere (the newest goes first) by Gram–Schmidt against Q, repeated while
// it loses more than 30% of its norm (at most four passes), then Givens
// rotations that make R triangular again; a column deleted by rotations too.
// The approach of preCICE's QRFactorization, written anew over preallocated
// arrays: nothing is allocated after the constructor.
//
// Q is column-major (column j at j·rows), R row-major with a fixed row length
// of `capacity` (R(i, j) at i·capacity + j). The passes over Q (projections,
// the orthogonalisation, the rotations of its columns) run on the column
// algebra, across threads when it has them; R's rotations are computed here
// first and applied to Q in one sweep, which does each element's arithmetic
// in the same order.
import { ColumnAlgebra } from "./threads/column-algebra.ts";

/** Reorthogonalise while ‖v_orth‖ ≤ 0.7 ‖v‖ of the pass before (preCICE's θ = 1/0.7). */
const KEEP_FRACTION = 0.7;
const MAX_PASSES = 4;

export class QrFactorization {
  readonly q: Float64Array;
  readonly r: Float64Array;
  /** Columns in the factorisation now. */
  cols = 0;
  private readonly work: Float64Array;
  private readonly coefficients: Float64Array;
  private readonly pass: Float64Array;
  private readonly scalar = new Float64Array(2);
  /** Rotations of Q's columns recorded in the algebra's list and not yet applied. */
  private pendingRotations = 0;

  constructor(
    readonly rows: number,
    readonly capacity: number,
    /** The filter's limit: what share of its norm a column must keep to go in when `filtered`. */
    readonly limit = 0,
    private readonly algebra: ColumnAlgebra = new ColumnAlgebra(rows),
  ) {
    this.q = algebra.allocate(rows * capacity);
    this.r = algebra.allocate(capacity * capacity);
    this.work = algebra.allocate(rows);
    this.coefficients = new Float64Array(capacity + 1);
    this.pass = new Float64Array(capacity);
  }

  reset(): void {
    this.cols = 0;
  }

  /** R(i, i) (for tests; the hot path reads r directly). */
  diagonal(index: number): number {
    return this.r[index * this.capacity + index] as number;
  }

  /** ‖R‖_F, which equals ‖V‖_F (for tests). */
  frobeniusNorm(): number {
    let squares = 0;
    const capacity = this.capacity;
    for (let row = 0; row < this.cols; row++) {
      for (let column = row; column < this.cols; column++) {
        const value = this.r[row * capacity + column] as number;
        squares += value * value;
      }
    }
    return Math.sqrt(squares);
  }

  /**
   * Inserts column `position` (0 ≤ position ≤ cols): the `rows` values of
   * `source` from `offset`, each times `weights[i]`. Refused (false) when the
   * factorisation is full or square, when the column is (numerically) in the
   * span of the others, or when `filtered` and less than `limit` of its norm is
   * left after orthogonalisation (the QR2 filter's test). (A flag, not the
   * limit: a double passed to a call that is not inlined is boxed.)
   */
  insert(position: number, source: Float64Array, offset: number, weights: Float64Array, filtered: boolean): boolean {
    const rows = this.rows;
    const capacity = this.capacity;
    const cols = this.cols;
    if (cols >= capacity || cols >= rows) return false;
    const v = this.work;
    let squares = 0;
    for (let row = 0; row < rows; row++) {
      const value = (source[offset + row] as number) * (weights[row] as number);
      v[row] = value;
      squares += value * value;
    }
    const original = Math.sqrt(squares);
    if (!(original > 0) || !Number.isFinite(original)) return false;
    this.scalar[0] = original;
    this.orthogonalize();
    const remaining = this.scalar[1] as number;
    if (remaining < 0 || (filtered && remaining < this.limit * original)) return false;
    const q = this.q;
    const qColumn = cols * rows;
    for (let row = 0; row < rows; row++) q[qColumn + row] = (v[row] as number) / remaining;
    const u = this.coefficients;
    u[cols] = remaining;
    const r = this.r;
    // Clear the new row and column, move columns position.. one right, put u in column position.
    for (let index = 0; index <= cols; index++) {
      r[cols * capacity + index] = 0;
      r[index * capacity + cols] = 0;
    }
    for (let column = cols - 1; column >= position; column--) {
      for (let row = 0; row <= column; row++) r[row * capacity + column + 1] = r[row * capacity + column] as number;
      r[(column + 1) * capacity + column + 1] = 0;
    }
    for (let row = 0; row <= cols; row++) r[row * capacity + position] = u[row] as number;
    const next = cols + 1;
    // Column `position` now reaches down to row cols: rotate it back to triangular from the bottom up.
    for (let row = cols - 1; row >= position; row--) {
      this.rotate(row, position, position, next);
      r[(row + 1) * capacity + position] = 0;
    }
    this.applyRotations();
    this.cols = next;
    return true;
  }

  /** Deletes column `position`, rotating R back to triangular. */
  remove(position: number): void {
    const capacity = this.capacity;
    const cols = this.cols;
    const r = this.r;
    for (let column = position; column < cols - 1; column++) {
      for (let row = 0; row <= column + 1; row++) r[row * capacity + column] = r[row * capacity + column + 1] as number;
    }
    for (let row = 0; row < cols; row++) r[row * capacity + cols - 1] = 0;
    // Now R(l + 1, l) ≠ 0 for l ≥ position: zero each with a rotation of rows l, l + 1.
    for (let row = position; row < cols - 1; row++) {
      this.rotate(row, row, row, cols - 1);
      r[(row + 1) * capacity + row] = 0;
    }
    this.applyRotations();
    for (let column = 0; column < cols; column++) r[(cols - 1) * capacity + column] = 0;
    this.cols = cols - 1;
  }

  /** Deletes the last column (the oldest): nothing to rotate. */
  removeLast(): void {
    const capacity = this.capacity;
    const last = this.cols - 1;
    for (let index = 0; index <= last; index++) {
      this.r[index * capacity + last] = 0;
      this.r[last * capacity + index] = 0;
    }
    this.cols = last;
  }

  /** out[0..cols) ← R⁻¹ Qᵀ rhs: the least-squares coefficients of rhs in the columns of V. */
  solve(rhs: Float64Array, out: Float64Array): void {
    this.algebra.dots(this.q, 0, this.cols, rhs, 0, out);
    this.backSubstitute(out);
  }

  /** b[0..cols) ← R⁻¹ b, in place. */
  backSubstitute(b: Float64Array): void {
    const capacity = this.capacity;
    const r = this.r;
    for (let row = this.cols - 1; row >= 0; row--) {
      let value = b[row] as number;
      for (let column = row + 1; column < this.cols; column++) {
        value -= (r[row * capacity + column] as number) * (b[column] as number);
      }
      b[row] = value / (r[row * capacity + row] as number);
    }
  }

  /**
   * Applies the rotation that zeroes R(top + 1, pivot) against R(top, pivot) to
   * rows top and top + 1 of R (columns from..end), and records it for columns
   * top, top + 1 of Q (applyRotations). (It takes indices, not the two values: doubles passed to a call that
   * is not inlined are boxed, which would allocate.)
   */
  private rotate(top: number, pivot: number, from: number, end: number): void {
    const a = this.r[top * this.capacity + pivot] as number;
    const b = this.r[(top + 1) * this.capacity + pivot] as number;
    if (b === 0) return;
    const radius =
      Math.abs(a) > Math.abs(b) ? Math.abs(a) * Math.sqrt(1 + (b / a) ** 2) : Math.abs(b) * Math.sqrt(1 + (a / b) ** 2);
    const c = a / radius;
    const s = b / radius;
    const capacity = this.capacity;
    const r = this.r;
    const upper = top * capacity;
    const lower = upper + capacity;
    for (let column = from; column < end; column++) {
      const x = r[upper + column] as number;
      const y = r[lower + column] as number;
      r[upper + column] = c * x + s * y;
      r[lower + column] = c * y - s * x;
    }
    const algebra = this.algebra;
    if (this.pendingRotations === algebra.rotationCapacity) this.applyRotations();
    const at = 3 * this.pendingRotations;
    algebra.rotations[at] = top;
    algebra.rotations[at + 1] = c;
    algebra.rotations[at + 2] = s;
    this.pendingRotations++;
  }

  /** Applies the recorded rotations to Q's columns, in the order they were made. */
  private applyRotations(): void {
    this.algebra.rotateColumns(this.q, this.pendingRotations);
    this.pendingRotations = 0;
  }

  /**
   * Orthogonalises the work vector (norm scalar[0]) against Q's columns,
   * leaving the coefficients in `coefficients` and in scalar[1] the norm left,
   * or −1 when nothing is left or four passes did not suffice. (Through a cell,
   * not arguments and a return value: doubles crossing a call are boxed.)
   */
  private orthogonalize(): void {
    const original = this.scalar[0] as number;
    const rows = this.rows;
    const cols = this.cols;
    const q = this.q;
    const v = this.work;
    const u = this.coefficients;
    const pass = this.pass;
    for (let column = 0; column < cols; column++) u[column] = 0;
    let before = original;
    const algebra = this.algebra;
    for (let count = 1; ; count++) {
      algebra.dots(q, 0, cols, v, 0, pass);
      for (let column = 0; column < cols; column++) u[column] = (u[column] as number) + (pass[column] as number);
      // v −= Q · pass, one contiguous column at a time.
      algebra.addColumns(q, 0, cols, pass, true, true, v, 0);
      let squares = 0;
      for (let row = 0; row < rows; row++) squares += (v[row] as number) * (v[row] as number);
      const after = Math.sqrt(squares);
      if (!(after > Number.MIN_VALUE) || (!(after > KEEP_FRACTION * before) && count >= MAX_PASSES)) {
        this.scalar[1] = -1;
        return;
      }
      if (after > KEEP_FRACTION * before) {
        this.scalar[1] = after;
        return;
      }
      before = after;
    }
  }
}
