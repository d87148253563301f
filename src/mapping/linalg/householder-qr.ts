// Householder QR with column pivoting of a tall, thin matrix (n points × q ≤ 10
// polynomial terms): P Π = Q R. It gives an orthonormal basis of the
// polynomials' span and of its complement, which the thin-plate spline needs
// (its kernel matrix is positive definite only on that complement), and its
// rank, which drops when the points are coplanar or collinear.
import { RELATIVE_RANK_TOLERANCE } from "./symmetric-solve.ts";

export class HouseholderQr {
  readonly rows: number;
  readonly columns: number;
  /** Number of independent columns found (reflectors kept). */
  readonly rank: number;
  /** Reflector k in column k (column-major, rows k..n-1, implicit 1 at row k). */
  readonly reflectors: Float64Array;
  readonly tau: Float64Array;
  /** R, columns×columns, row-major; only the leading rank×rank block is meaningful. */
  readonly r: Float64Array;
  /** Column j of R is column permutation[j] of the input. */
  readonly permutation: Int32Array;

  /** `matrix`: rows × columns, column-major (each column one polynomial term over all points); not modified. */
  constructor(matrix: Float64Array, rows: number, columns: number) {
    this.rows = rows;
    this.columns = columns;
    const a = matrix.slice(0, rows * columns);
    this.tau = new Float64Array(columns);
    this.r = new Float64Array(columns * columns);
    this.permutation = new Int32Array(columns);
    for (let j = 0; j < columns; j++) this.permutation[j] = j;
    const norms = new Float64Array(columns);
    for (let j = 0; j < columns; j++) norms[j] = columnNorm(a, rows, j, 0);
    let largest = 0;
    let rank = 0;
    for (let k = 0; k < Math.min(rows, columns); k++) {
      // Pivot: the remaining column with the largest remaining norm.
      let pivot = k;
      for (let j = k + 1; j < columns; j++) if ((norms[j] as number) > (norms[pivot] as number)) pivot = j;
      if (pivot !== k) {
        for (let i = 0; i < rows; i++) {
          const value = a[k * rows + i] as number;
          a[k * rows + i] = a[pivot * rows + i] as number;
          a[pivot * rows + i] = value;
        }
        const norm = norms[k] as number;
        norms[k] = norms[pivot] as number;
        norms[pivot] = norm;
        // R's rows above k already hold these columns' entries: they move too.
        for (let i = 0; i < k; i++) {
          const value = this.r[i * columns + k] as number;
          this.r[i * columns + k] = this.r[i * columns + pivot] as number;
          this.r[i * columns + pivot] = value;
        }
        const index = this.permutation[k] as number;
        this.permutation[k] = this.permutation[pivot] as number;
        this.permutation[pivot] = index;
      }
      const alpha = a[k * rows + k] as number;
      const norm = columnNorm(a, rows, k, k);
      if (k === 0) largest = norm;
      if (!(norm > largest * RELATIVE_RANK_TOLERANCE) || norm === 0) break;
      const beta = alpha >= 0 ? -norm : norm;
      const tau = (beta - alpha) / beta;
      const scale = 1 / (alpha - beta);
      a[k * rows + k] = 1;
      for (let i = k + 1; i < rows; i++) a[k * rows + i] = (a[k * rows + i] as number) * scale;
      this.tau[k] = tau;
      // Apply H = I - tau v vᵀ to the remaining columns.
      for (let j = k + 1; j < columns; j++) {
        let dot = 0;
        for (let i = k; i < rows; i++) dot += (a[k * rows + i] as number) * (a[j * rows + i] as number);
        dot *= tau;
        for (let i = k; i < rows; i++)
          a[j * rows + i] = (a[j * rows + i] as number) - dot * (a[k * rows + i] as number);
        norms[j] = columnNorm(a, rows, j, k + 1);
      }
      this.r[k * columns + k] = beta;
      for (let j = k + 1; j < columns; j++) this.r[k * columns + j] = a[j * rows + k] as number;
      rank = k + 1;
    }
    this.rank = rank;
    this.reflectors = a;
  }

  /** x ← Qᵀ x, for x of length rows (in place, allocates nothing). */
  applyTranspose(x: Float64Array): void {
    for (let k = 0; k < this.rank; k++) this.reflect(k, x);
  }

  /** x ← Q x. */
  apply(x: Float64Array): void {
    for (let k = this.rank - 1; k >= 0; k--) this.reflect(k, x);
  }

  /** x ← (I - tau_k v_k v_kᵀ) x. */
  reflect(k: number, x: Float64Array): void {
    const a = this.reflectors;
    const rows = this.rows;
    const base = k * rows;
    let dot = x[k] as number;
    for (let i = k + 1; i < rows; i++) dot += (a[base + i] as number) * (x[i] as number);
    dot *= this.tau[k] as number;
    x[k] = (x[k] as number) - dot;
    for (let i = k + 1; i < rows; i++) x[i] = (x[i] as number) - dot * (a[base + i] as number);
  }

  /** Reflector k as a full vector (zeros above row k, 1 at row k). */
  reflector(k: number, out: Float64Array): void {
    out.fill(0);
    out[k] = 1;
    for (let i = k + 1; i < this.rows; i++) out[i] = this.reflectors[k * this.rows + i] as number;
  }
}

function columnNorm(a: Float64Array, rows: number, column: number, from: number): number {
  let scale = 0;
  for (let i = from; i < rows; i++) scale = Math.max(scale, Math.abs(a[column * rows + i] as number));
  if (scale === 0) return 0;
  let sum = 0;
  for (let i = from; i < rows; i++) sum += ((a[column * rows + i] as number) / scale) ** 2;
  return scale * Math.sqrt(sum);
}
