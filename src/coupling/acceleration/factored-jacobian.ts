// An n × n matrix kept as a sum of rank-one terms, J = Σ_j a_j b_jᵀ (A and B
// column-major, n rows), the way IQN-IMVJ's restart modes hold the inverse
// Jacobian of earlier windows without ever forming it: applying J costs
// 2·n·columns, and compress() replaces the terms by a truncated SVD of J, in
// the preconditioner's scaling (P J P⁻¹), keeping the singular values at or
// above `truncation` times the largest (and at most `maxRank` of them).
// Workspaces are allocated in the constructor; nothing after it. Applying J
// runs on the column algebra, across threads when it has them.
import { ColumnAlgebra } from "./threads/column-algebra.ts";

/** Sweeps of one-sided Jacobi before giving up on full convergence (it converges quadratically, in ~6–10). */
const MAX_SWEEPS = 60;

export class FactoredJacobian {
  readonly a: Float64Array;
  readonly b: Float64Array;
  columns = 0;
  // compress(): QR of the scaled A and B, their small product and its SVD.
  private readonly qa: Float64Array;
  private readonly qb: Float64Array;
  private readonly ra: Float64Array;
  private readonly rb: Float64Array;
  private readonly core: Float64Array;
  private readonly right: Float64Array;
  private readonly singular: Float64Array;
  private readonly order: Int32Array;
  /** bᵀ x for every term, while J x is applied. */
  private readonly termDots: Float64Array;

  constructor(
    readonly rows: number,
    readonly capacity: number,
    private readonly algebra: ColumnAlgebra = new ColumnAlgebra(rows),
  ) {
    this.a = algebra.allocate(rows * capacity);
    this.b = algebra.allocate(rows * capacity);
    this.termDots = new Float64Array(capacity);
    this.qa = new Float64Array(rows * capacity);
    this.qb = new Float64Array(rows * capacity);
    this.ra = new Float64Array(capacity * capacity);
    this.rb = new Float64Array(capacity * capacity);
    this.core = new Float64Array(capacity * capacity);
    this.right = new Float64Array(capacity * capacity);
    this.singular = new Float64Array(capacity);
    this.order = new Int32Array(capacity);
  }

  /** Room for this many more terms. */
  get free(): number {
    return this.capacity - this.columns;
  }

  clear(): void {
    this.columns = 0;
  }

  /** Appends a term: a = source[aOffset …], b = source[bOffset …] (n values each). */
  append(aSource: Float64Array, aOffset: number, bSource: Float64Array, bOffset: number): void {
    const rows = this.rows;
    const at = this.columns * rows;
    for (let row = 0; row < rows; row++) {
      this.a[at + row] = aSource[aOffset + row] as number;
      this.b[at + row] = bSource[bOffset + row] as number;
    }
    this.columns++;
  }

  /** out ← out + J x (x and out of n values; out may not be x). */
  multiplyAdd(x: Float64Array, xOffset: number, out: Float64Array, outOffset: number): void {
    // Every bᵀ x first, then out += Σ a (bᵀ x) term after term: each value sees the same operations as when
    // the two alternate, a term whose product is 0 passed over.
    this.algebra.dots(this.b, 0, this.columns, x, xOffset, this.termDots);
    this.algebra.addColumns(this.a, 0, this.columns, this.termDots, false, true, out, outOffset);
  }

  /**
   * Replaces the terms by J's truncated SVD in the scaling `weights` (P):
   * P J P⁻¹ = Ψ Σ Φᵀ, then a_j = P⁻¹ ψ_j σ_j and b_j = P φ_j. Returns the rank kept.
   */
  compress(weights: Float64Array, truncation: number, maxRank: number): number {
    const rows = this.rows;
    const count = this.columns;
    if (count === 0) return 0;
    for (let column = 0; column < count; column++) {
      const base = column * rows;
      for (let row = 0; row < rows; row++) {
        this.qa[base + row] = (this.a[base + row] as number) * (weights[row] as number);
        this.qb[base + row] = (this.b[base + row] as number) / (weights[row] as number);
      }
    }
    const rankA = orthonormalize(this.qa, this.ra, rows, count, this.capacity);
    const rankB = orthonormalize(this.qb, this.rb, rows, count, this.capacity);
    const size = Math.max(rankA, rankB);
    if (size === 0) {
      this.columns = 0;
      return 0;
    }
    // core (size × size, row-major, padded with zeros) = Ra Rbᵀ.
    const capacity = this.capacity;
    const core = this.core;
    for (let i = 0; i < size; i++) {
      for (let j = 0; j < size; j++) {
        let value = 0;
        if (i < rankA && j < rankB) {
          for (let k = 0; k < count; k++)
            value += (this.ra[i * capacity + k] as number) * (this.rb[j * capacity + k] as number);
        }
        core[i * capacity + j] = value;
      }
    }
    jacobiSvd(core, this.right, this.singular, size, capacity);
    const order = this.order;
    for (let index = 0; index < size; index++) order[index] = index;
    // Largest first (selection sort: size is a few dozen at most).
    for (let i = 0; i < size; i++) {
      let best = i;
      for (let j = i + 1; j < size; j++) {
        if ((this.singular[order[j] as number] as number) > (this.singular[order[best] as number] as number)) best = j;
      }
      const swap = order[i] as number;
      order[i] = order[best] as number;
      order[best] = swap;
    }
    const largest = this.singular[order[0] as number] as number;
    let rank = 0;
    while (
      rank < size &&
      rank < maxRank &&
      (this.singular[order[rank] as number] as number) > 0 &&
      (this.singular[order[rank] as number] as number) >= truncation * largest
    ) {
      rank++;
    }
    // a_j = P⁻¹ Qa u_j σ_j (the core's column j after Jacobi is u_j σ_j), b_j = P Qb y_j.
    for (let term = 0; term < rank; term++) {
      const source = order[term] as number;
      const base = term * rows;
      for (let row = 0; row < rows; row++) {
        let left = 0;
        for (let k = 0; k < rankA; k++)
          left += (this.qa[k * rows + row] as number) * (core[k * capacity + source] as number);
        let rightValue = 0;
        for (let k = 0; k < rankB; k++)
          rightValue += (this.qb[k * rows + row] as number) * (this.right[k * capacity + source] as number);
        this.a[base + row] = left / (weights[row] as number);
        this.b[base + row] = rightValue * (weights[row] as number);
      }
    }
    this.columns = rank;
    return rank;
  }

  /** J(row, column), for tests. */
  entry(row: number, column: number): number {
    const rows = this.rows;
    let value = 0;
    for (let term = 0; term < this.columns; term++) {
      value += (this.a[term * rows + row] as number) * (this.b[term * rows + column] as number);
    }
    return value;
  }
}

/**
 * Modified Gram–Schmidt on the `count` columns of m (rows × count, column
 * major), twice for stability: m's first `rank` columns become an orthonormal
 * basis, r (row-major, row length `stride`) the coefficients, m_in = Q R.
 * Columns (numerically) in the span of earlier ones add no basis vector.
 */
function orthonormalize(m: Float64Array, r: Float64Array, rows: number, count: number, stride: number): number {
  let rank = 0;
  for (let column = 0; column < count; column++) {
    const base = column * rows;
    for (let k = 0; k < stride; k++) r[k * stride + column] = 0;
    let original = 0;
    for (let row = 0; row < rows; row++) original += (m[base + row] as number) ** 2;
    original = Math.sqrt(original);
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < rank; k++) {
        const qBase = k * rows;
        let dot = 0;
        for (let row = 0; row < rows; row++) dot += (m[qBase + row] as number) * (m[base + row] as number);
        for (let row = 0; row < rows; row++)
          m[base + row] = (m[base + row] as number) - dot * (m[qBase + row] as number);
        r[k * stride + column] = (r[k * stride + column] as number) + dot;
      }
    }
    let left = 0;
    for (let row = 0; row < rows; row++) left += (m[base + row] as number) ** 2;
    left = Math.sqrt(left);
    if (left <= 1e-13 * original || left === 0) continue;
    const target = rank * rows;
    for (let row = 0; row < rows; row++) m[target + row] = (m[base + row] as number) / left;
    r[rank * stride + column] = left;
    rank++;
  }
  return rank;
}

/**
 * One-sided Jacobi SVD of the size × size matrix m (row-major, row length
 * `stride`), in place: afterwards column j of m is u_j σ_j, σ_j its norm (in
 * `singular`) and `right` holds V (m_in = U Σ Vᵀ).
 */
function jacobiSvd(m: Float64Array, right: Float64Array, singular: Float64Array, size: number, stride: number): void {
  for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) right[i * stride + j] = i === j ? 1 : 0;
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let p = 0; p < size - 1; p++) {
      for (let q = p + 1; q < size; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let row = 0; row < size; row++) {
          const x = m[row * stride + p] as number;
          const y = m[row * stride + q] as number;
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (gamma === 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let row = 0; row < size; row++) {
          const x = m[row * stride + p] as number;
          const y = m[row * stride + q] as number;
          m[row * stride + p] = c * x - s * y;
          m[row * stride + q] = s * x + c * y;
          const vx = right[row * stride + p] as number;
          const vy = right[row * stride + q] as number;
          right[row * stride + p] = c * vx - s * vy;
          right[row * stride + q] = s * vx + c * vy;
        }
      }
    }
    if (!rotated) break;
  }
  for (let column = 0; column < size; column++) {
    let squares = 0;
    for (let row = 0; row < size; row++) squares += (m[row * stride + column] as number) ** 2;
    singular[column] = Math.sqrt(squares);
  }
}
