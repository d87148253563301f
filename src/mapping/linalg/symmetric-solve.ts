// Small symmetric positive semi-definite systems (MLS moment matrices, the
// polynomial block of RBF systems): Cholesky when the matrix is well
// conditioned, else the pseudo-inverse from a Jacobi eigen-decomposition, which
// drops the directions the data cannot determine (coplanar or collinear
// neighbourhoods) instead of amplifying rounding noise into them.
// One solver holds its scratch; solving allocates nothing.

/** Below this fraction of the largest diagonal entry (Cholesky) or eigenvalue (Jacobi), a direction counts as absent. */
export const RELATIVE_RANK_TOLERANCE = 1e-10;
const MAX_JACOBI_SWEEPS = 64;

export class SymmetricSolver {
  private readonly factor: Float64Array;
  private readonly work: Float64Array;
  private readonly vectors: Float64Array;
  private readonly values: Float64Array;
  /** Whether the last solve fell back to the pseudo-inverse. */
  usedPseudoInverse = false;

  constructor(readonly capacity: number) {
    this.factor = new Float64Array(capacity * capacity);
    this.work = new Float64Array(capacity * capacity);
    this.vectors = new Float64Array(capacity * capacity);
    this.values = new Float64Array(capacity);
  }

  /**
   * x = A⁺ b for the n×n row-major symmetric positive semi-definite `matrix`
   * (left unchanged), n ≤ capacity. When A is invertible this is A⁻¹ b.
   */
  solve(matrix: Float64Array, rhs: Float64Array, solution: Float64Array, n: number): void {
    this.usedPseudoInverse = !this.tryCholesky(matrix, rhs, solution, n);
    if (this.usedPseudoInverse) this.pseudoInverseSolve(matrix, rhs, solution, n);
  }

  private tryCholesky(matrix: Float64Array, rhs: Float64Array, solution: Float64Array, n: number): boolean {
    const l = this.factor;
    let largest = 0;
    for (let i = 0; i < n; i++) largest = Math.max(largest, Math.abs(matrix[i * n + i] as number));
    if (largest === 0) return false;
    const floor = largest * RELATIVE_RANK_TOLERANCE;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        let sum = matrix[i * n + j] as number;
        for (let k = 0; k < j; k++) sum -= (l[i * n + k] as number) * (l[j * n + k] as number);
        if (i === j) {
          if (!(sum > floor)) return false;
          l[i * n + i] = Math.sqrt(sum);
        } else l[i * n + j] = sum / (l[j * n + j] as number);
      }
    }
    for (let i = 0; i < n; i++) {
      let sum = rhs[i] as number;
      for (let k = 0; k < i; k++) sum -= (l[i * n + k] as number) * (solution[k] as number);
      solution[i] = sum / (l[i * n + i] as number);
    }
    for (let i = n - 1; i >= 0; i--) {
      let sum = solution[i] as number;
      for (let k = i + 1; k < n; k++) sum -= (l[k * n + i] as number) * (solution[k] as number);
      solution[i] = sum / (l[i * n + i] as number);
    }
    return true;
  }

  private pseudoInverseSolve(matrix: Float64Array, rhs: Float64Array, solution: Float64Array, n: number): void {
    const a = this.work;
    for (let i = 0; i < n * n; i++) a[i] = matrix[i] as number;
    symmetricEigen(a, n, this.values, this.vectors);
    const values = this.values;
    const vectors = this.vectors;
    let largest = 0;
    for (let i = 0; i < n; i++) largest = Math.max(largest, Math.abs(values[i] as number));
    const floor = largest * RELATIVE_RANK_TOLERANCE;
    for (let i = 0; i < n; i++) solution[i] = 0;
    if (largest === 0) return;
    for (let j = 0; j < n; j++) {
      const value = values[j] as number;
      if (Math.abs(value) <= floor) continue;
      let projection = 0;
      for (let i = 0; i < n; i++) projection += (vectors[i * n + j] as number) * (rhs[i] as number);
      const scale = projection / value;
      for (let i = 0; i < n; i++) solution[i] = (solution[i] as number) + scale * (vectors[i * n + j] as number);
    }
  }
}

/**
 * Cyclic Jacobi eigen-decomposition of the n×n row-major symmetric `a`
 * (destroyed): eigenvalues in `values`, eigenvector j in column j of `vectors`.
 * Accurate to rounding for the small matrices it is meant for (n ≤ ~50).
 */
export function symmetricEigen(a: Float64Array, n: number, values: Float64Array, vectors: Float64Array): void {
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vectors[i * n + j] = i === j ? 1 : 0;
  for (let sweep = 0; sweep < MAX_JACOBI_SWEEPS; sweep++) {
    let offDiagonal = 0;
    let diagonal = 0;
    for (let p = 0; p < n; p++) {
      diagonal += (a[p * n + p] as number) ** 2;
      for (let q = p + 1; q < n; q++) offDiagonal += (a[p * n + q] as number) ** 2;
    }
    if (offDiagonal <= 1e-32 * diagonal || offDiagonal === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q] as number;
        if (apq === 0) continue;
        const app = a[p * n + p] as number;
        const aqq = a[q * n + q] as number;
        const theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p] as number;
          const akq = a[k * n + q] as number;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k] as number;
          const aqk = a[q * n + k] as number;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = vectors[k * n + p] as number;
          const vkq = vectors[k * n + q] as number;
          vectors[k * n + p] = c * vkp - s * vkq;
          vectors[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  for (let i = 0; i < n; i++) values[i] = a[i * n + i] as number;
}

/**
 * The inverse of the small n×n row-major symmetric `matrix`, by Cholesky,
 * into `inverse` (n×n; `work` holds the factor, n×n), when the matrix is
 * certainly positive definite with every eigenvalue well above the rank
 * tolerance: then it is exactly what the pseudo-inverse would give, without an
 * eigen-decomposition. Returns false, leaving `inverse` meaningless, when that
 * is not certain; the caller takes the pseudo-inverse then.
 */
export function wellConditionedInverse(
  matrix: Float64Array,
  n: number,
  inverse: Float64Array,
  work: Float64Array,
): boolean {
  const l = work;
  let trace = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = matrix[i * n + j] as number;
      for (let k = 0; k < j; k++) sum -= (l[i * n + k] as number) * (l[j * n + k] as number);
      if (i === j) {
        if (!(sum > 0)) return false;
        l[i * n + i] = Math.sqrt(sum);
      } else l[i * n + j] = sum / (l[j * n + j] as number);
    }
    trace += matrix[i * n + i] as number;
  }
  // Column k of the inverse: L Lᵀ x = e_k.
  let squares = 0;
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < n; i++) {
      let sum = i === k ? 1 : 0;
      for (let m = 0; m < i; m++) sum -= (l[i * n + m] as number) * (inverse[m * n + k] as number);
      inverse[i * n + k] = sum / (l[i * n + i] as number);
    }
    for (let i = n - 1; i >= 0; i--) {
      let sum = inverse[i * n + k] as number;
      for (let m = i + 1; m < n; m++) sum -= (l[m * n + i] as number) * (inverse[m * n + k] as number);
      const value = sum / (l[i * n + i] as number);
      inverse[i * n + k] = value;
      squares += value * value;
    }
  }
  // The largest eigenvalue is at most the trace and the smallest at least
  // 1 / ‖A⁻¹‖_F; a hundredfold margin covers the rounding of A⁻¹ itself.
  return trace * Math.sqrt(squares) * RELATIVE_RANK_TOLERANCE < 0.01;
}
