// The weights of one small RBF interpolant with linear polynomial (an RBF-PU
// patch) at many evaluation points at once. With A = [Φ P; Pᵀ 0] on the patch's
// s source points, the interpolant of values f at a point with kernel row e
// and polynomial row p is w·f, w = first s entries of A⁻¹ (e, p) (A is
// symmetric). For a positive definite kernel, through the Schur complement:
//
//   W₁ = E Φ⁻¹,  G = Φ⁻¹ P,  S = Pᵀ G,   W = W₁ − (W₁ P − P_E) S⁺ Gᵀ,
//
// with Φ⁻¹ applied by Cholesky solves, four right-hand sides per pass. The
// thin-plate spline (not positive definite) solves its null-space system once
// per evaluation point.
import type { PolynomialFrame } from "./augmented-system.ts";
import { DenseCholesky } from "./dense-cholesky.ts";
import { factorNullSpaceSystem } from "./null-space-system.ts";
import { evaluateKernel, type RadialKernel } from "./radial-kernel.ts";
import { pseudoInverse } from "./schur-system.ts";

/** Reusable scratch for `localWeightRows`, so that a setup over thousands of patches allocates little. */
export class LocalWeightsScratch {
  readonly cholesky = new DenseCholesky(64);
  kernelMatrix = new Float64Array(64 * 64);
  polynomialRows = new Float64Array(64 * 4);

  ensure(size: number, termCount: number): void {
    if (this.kernelMatrix.length < size * size) this.kernelMatrix = new Float64Array(2 * size * size);
    if (this.polynomialRows.length < (size + termCount) * size) {
      this.polynomialRows = new Float64Array(2 * (size + termCount) * size);
    }
  }
}

/**
 * `rows` (count × size, row-major) holds the kernel rows E on entry and the
 * weight rows W on return; `evaluationPolynomial` (count × termCount) holds
 * the polynomial rows at the evaluation points.
 */
export function localWeightRows(
  xyz: Float64Array,
  size: number,
  kernel: RadialKernel,
  frame: PolynomialFrame,
  rows: Float64Array,
  evaluationPolynomial: Float64Array,
  count: number,
  scratch: LocalWeightsScratch,
  label: string,
): void {
  const q = frame.termCount;
  if (!kernel.positiveDefinite) {
    const system = factorNullSpaceSystem(xyz, size, kernel, frame, label);
    const row = new Float64Array(size);
    const weights = new Float64Array(size);
    const polynomial = new Float64Array(q);
    const unused = new Float64Array(q);
    for (let r = 0; r < count; r++) {
      for (let j = 0; j < size; j++) row[j] = rows[r * size + j] as number;
      for (let a = 0; a < q; a++) polynomial[a] = evaluationPolynomial[r * q + a] as number;
      system.solve(row, polynomial, weights, unused);
      rows.set(weights, r * size);
    }
    return;
  }
  scratch.ensure(size, q);
  const phi = scratch.kernelMatrix;
  for (let i = 0; i < size; i++) {
    const x = xyz[3 * i] as number;
    const y = xyz[3 * i + 1] as number;
    const z = xyz[3 * i + 2] as number;
    for (let j = 0; j <= i; j++) {
      const dx = x - (xyz[3 * j] as number);
      const dy = y - (xyz[3 * j + 1] as number);
      const dz = z - (xyz[3 * j + 2] as number);
      phi[i * size + j] = evaluateKernel(kernel, Math.sqrt(dx * dx + dy * dy + dz * dz));
    }
  }
  scratch.cholesky.factor(phi, size, label);
  // Rows 0..q-1: Pᵀ (column a of P as row a); rows q..2q-1: Gᵀ = (Φ⁻¹ P)ᵀ.
  const pg = scratch.polynomialRows;
  const point = new Float64Array(q);
  for (let j = 0; j < size; j++) {
    frame.evaluate(xyz[3 * j] as number, xyz[3 * j + 1] as number, xyz[3 * j + 2] as number, point, 0);
    for (let a = 0; a < q; a++) {
      pg[a * size + j] = point[a] as number;
      pg[(q + a) * size + j] = point[a] as number;
    }
  }
  const gRows = pg.subarray(q * size, 2 * q * size);
  scratch.cholesky.solveRows(gRows, q);
  scratch.cholesky.solveRows(rows, count);
  const schur = new Float64Array(q * q);
  for (let a = 0; a < q; a++) {
    for (let b = 0; b <= a; b++) {
      let sum = 0;
      for (let j = 0; j < size; j++) sum += (pg[a * size + j] as number) * (gRows[b * size + j] as number);
      schur[a * q + b] = sum;
      schur[b * q + a] = sum;
    }
  }
  const schurPlus = pseudoInverse(schur, q);
  const c = new Float64Array(q);
  const d = new Float64Array(q);
  for (let r = 0; r < count; r++) {
    const base = r * size;
    // c = W₁ P − p, d = c S⁺, row −= d Gᵀ.
    for (let a = 0; a < q; a++) {
      let sum = -(evaluationPolynomial[r * q + a] as number);
      for (let j = 0; j < size; j++) sum += (rows[base + j] as number) * (pg[a * size + j] as number);
      c[a] = sum;
    }
    for (let a = 0; a < q; a++) {
      let sum = 0;
      for (let b = 0; b < q; b++) sum += (c[b] as number) * (schurPlus[b * q + a] as number);
      d[a] = sum;
    }
    for (let j = 0; j < size; j++) {
      let value = rows[base + j] as number;
      for (let a = 0; a < q; a++) value -= (d[a] as number) * (gRows[a * size + j] as number);
      rows[base + j] = value;
    }
  }
}
