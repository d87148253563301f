// The weights of one small RBF interpolant with linear polynomial (an RBF-PU
// patch) at many evaluation points at once. With A = [Φ P; Pᵀ 0] on the patch's
// s source points, the interpolant of values f at a point with kernel row e
// and polynomial row p is w·f, w = first s entries of A⁻¹ (e, p) (A is
// symmetric). For a positive definite kernel, through the Schur complement:
//
//   W₁ = E Φ⁻¹,  G = Φ⁻¹ P,  S = Pᵀ G,   W = W₁ − (W₁ P − P_E) S⁺ Gᵀ,
//
// with Φ⁻¹ applied by Cholesky solves, four right-hand sides per pass. A patch
// matrix that is singular in floating point (a very smooth kernel on densely
// sampled points) gets a tiny diagonal shift: the interpolant then smooths by
// that much, and still reproduces linear fields exactly (S⁺ S = I above). The
// thin-plate spline (not positive definite) solves its null-space system once
// per evaluation point.
import { PolynomialFrame } from "../kernels/augmented-system.ts";
import { factorNullSpaceSystem } from "../kernels/null-space-system.ts";
import { evaluateKernelRow, type RadialKernel } from "../kernels/radial-kernel.ts";
import { pseudoInverse } from "../kernels/schur-system.ts";
import { DenseCholesky } from "../linalg/dense-cholesky.ts";
import { wellConditionedInverse } from "../linalg/symmetric-solve.ts";
import { MappingError } from "../mapping-error.ts";
import { nativeKernels, numericBackend } from "../numeric-backend.ts";

/** Reusable scratch for `localWeightRows`, so that a setup over thousands of patches allocates little. */
export class LocalWeightsScratch {
  readonly cholesky = new DenseCholesky(64);
  kernelMatrix = new Float64Array(64 * 64);
  /** Pᵀ and Gᵀ, four rows each (linear terms in up to 3-D), size columns. */
  polynomialRows = new Float64Array(8 * 64);
  readonly point = new Float64Array(4);
  readonly schur = new Float64Array(16);
  readonly schurPlus = new Float64Array(16);
  readonly schurInverse = new Float64Array(16);
  readonly schurFactor = new Float64Array(16);
  /** The polynomial rows at a patch's evaluation points (TypeScript path). */
  evaluationPolynomial = new Float64Array(64 * 4);
  /** [dimension, centre x, y, z, scale] for the native kernel. */
  readonly frame = new Float64Array(5);

  ensure(size: number): void {
    if (this.kernelMatrix.length < size * size) this.kernelMatrix = new Float64Array(2 * size * size);
    if (this.polynomialRows.length < 8 * size) this.polynomialRows = new Float64Array(16 * size);
  }
}

/**
 * The weights (t × s, row-major, into `rows`) of the interpolant on the s
 * points `sourceXyz` at the t points `targetXyz` (x, y, z triples): the native
 * kernel for a positive definite kernel unless the TypeScript backend is
 * chosen, else the TypeScript below.
 */
export function patchWeights(
  sourceXyz: Float64Array,
  size: number,
  targetXyz: Float64Array,
  count: number,
  kernel: RadialKernel,
  dimension: number,
  rows: Float64Array,
  scratch: LocalWeightsScratch,
  label: string,
): void {
  const frame = PolynomialFrame.around(sourceXyz, size, dimension);
  if (kernel.positiveDefinite && numericBackend() === "native") {
    const f = scratch.frame;
    f[0] = dimension;
    f[1] = frame.centerX;
    f[2] = frame.centerY;
    f[3] = frame.centerZ;
    f[4] = frame.scale;
    const schur = scratch.schurPlus;
    const k = kernel.kind;
    let status = nativeKernels.patchWeights(sourceXyz, size, targetXyz, count, k, kernel.radius, f, rows, schur, false);
    if (status === 1) {
      // S is ill-conditioned (coplanar or collinear sources): its pseudo-inverse, then again with it.
      const q = dimension + 1;
      schur.set(pseudoInverse(schur.slice(0, q * q), q));
      status = nativeKernels.patchWeights(sourceXyz, size, targetXyz, count, k, kernel.radius, f, rows, schur, true);
    }
    if (status >= 2) {
      throw new MappingError(
        `${label}: the kernel matrix is not positive definite at row ${status - 2}; the points may contain duplicate coordinates, or the kernel's radius is too large for its conditioning (try a smaller radius)`,
      );
    }
    return;
  }
  const q = frame.termCount;
  if (scratch.evaluationPolynomial.length < count * q) scratch.evaluationPolynomial = new Float64Array(2 * count * q);
  const polynomial = scratch.evaluationPolynomial;
  for (let row = 0; row < count; row++) {
    const x = targetXyz[3 * row] as number;
    const y = targetXyz[3 * row + 1] as number;
    const z = targetXyz[3 * row + 2] as number;
    evaluateKernelRow(kernel, x, y, z, sourceXyz, size, rows, row * size);
    frame.evaluate(x, y, z, polynomial, row * q);
  }
  localWeightRows(sourceXyz, size, kernel, frame, rows, polynomial, count, scratch, label);
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
  scratch.ensure(size);
  const phi = scratch.kernelMatrix;
  // The lower triangle: row i up to the diagonal.
  for (let i = 0; i < size; i++) {
    evaluateKernelRow(
      kernel,
      xyz[3 * i] as number,
      xyz[3 * i + 1] as number,
      xyz[3 * i + 2] as number,
      xyz,
      i + 1,
      phi,
      i * size,
    );
  }
  scratch.cholesky.factor(phi, size, label, true);
  // Rows 0..3 of `pg`: Pᵀ (column a of P as row a); rows 4..7: Gᵀ = (Φ⁻¹ P)ᵀ. Terms
  // beyond q stay zero, so that the correction below is one four-wide loop.
  const pg = scratch.polynomialRows;
  pg.fill(0, 0, 8 * size);
  const point = scratch.point;
  for (let j = 0; j < size; j++) {
    frame.evaluate(xyz[3 * j] as number, xyz[3 * j + 1] as number, xyz[3 * j + 2] as number, point, 0);
    for (let a = 0; a < q; a++) {
      pg[a * size + j] = point[a] as number;
      pg[(4 + a) * size + j] = point[a] as number;
    }
  }
  const gRows = pg.subarray(4 * size, (4 + q) * size);
  scratch.cholesky.solveRows(gRows, q);
  scratch.cholesky.solveRows(rows, count);
  const schur = scratch.schur;
  for (let a = 0; a < q; a++) {
    for (let b = 0; b <= a; b++) {
      let sum = 0;
      for (let j = 0; j < size; j++) sum += (pg[a * size + j] as number) * (pg[(4 + b) * size + j] as number);
      schur[a * q + b] = sum;
      schur[b * q + a] = sum;
    }
  }
  const schurPlus = wellConditionedInverse(schur, q, scratch.schurInverse, scratch.schurFactor)
    ? scratch.schurInverse
    : pseudoInverse(schur.subarray(0, q * q), q);
  // S⁺ padded to 4 × 4 with zeros.
  const s4 = scratch.schurPlus;
  s4.fill(0);
  for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) s4[a * 4 + b] = schurPlus[a * q + b] as number;
  // c = W₁ P − p, d = c S⁺, row −= d Gᵀ; two rows at a time, so that each
  // value of P and G loaded serves both. P's first column is all ones.
  let r = 0;
  for (; r + 1 < count; r += 2) correctRows(rows, r, true, size, q, pg, evaluationPolynomial, s4);
  if (r < count) correctRows(rows, r, false, size, q, pg, evaluationPolynomial, s4);
}

/**
 * d = (W₁ P − p) S⁺ for row r and, when `paired`, row r + 1, then each row
 * −= d Gᵀ (`pg` holds Pᵀ, then Gᵀ). A lone row (the last of an odd count)
 * takes the same arithmetic, as its own pair: what the second copy computes
 * is not written.
 */
function correctRows(
  rows: Float64Array,
  r: number,
  paired: boolean,
  size: number,
  q: number,
  pg: Float64Array,
  evaluationPolynomial: Float64Array,
  s4: Float64Array,
): void {
  const a = r * size;
  const b = paired ? a + size : a;
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  let b3 = 0;
  for (let j = 0; j < size; j++) {
    const x = pg[size + j] as number;
    const y = pg[2 * size + j] as number;
    const z = pg[3 * size + j] as number;
    const u = rows[a + j] as number;
    const v = rows[b + j] as number;
    a0 += u;
    a1 += u * x;
    a2 += u * y;
    a3 += u * z;
    b0 += v;
    b1 += v * x;
    b2 += v * y;
    b3 += v * z;
  }
  const e = r * q;
  const f = paired ? e + q : e;
  a0 -= evaluationPolynomial[e] as number;
  a1 -= evaluationPolynomial[e + 1] as number;
  b0 -= evaluationPolynomial[f] as number;
  b1 -= evaluationPolynomial[f + 1] as number;
  if (q > 2) {
    a2 -= evaluationPolynomial[e + 2] as number;
    b2 -= evaluationPolynomial[f + 2] as number;
  }
  if (q > 3) {
    a3 -= evaluationPolynomial[e + 3] as number;
    b3 -= evaluationPolynomial[f + 3] as number;
  }
  const da0 = a0 * (s4[0] as number) + a1 * (s4[4] as number) + a2 * (s4[8] as number) + a3 * (s4[12] as number);
  const da1 = a0 * (s4[1] as number) + a1 * (s4[5] as number) + a2 * (s4[9] as number) + a3 * (s4[13] as number);
  const da2 = a0 * (s4[2] as number) + a1 * (s4[6] as number) + a2 * (s4[10] as number) + a3 * (s4[14] as number);
  const da3 = a0 * (s4[3] as number) + a1 * (s4[7] as number) + a2 * (s4[11] as number) + a3 * (s4[15] as number);
  const db0 = b0 * (s4[0] as number) + b1 * (s4[4] as number) + b2 * (s4[8] as number) + b3 * (s4[12] as number);
  const db1 = b0 * (s4[1] as number) + b1 * (s4[5] as number) + b2 * (s4[9] as number) + b3 * (s4[13] as number);
  const db2 = b0 * (s4[2] as number) + b1 * (s4[6] as number) + b2 * (s4[10] as number) + b3 * (s4[14] as number);
  const db3 = b0 * (s4[3] as number) + b1 * (s4[7] as number) + b2 * (s4[11] as number) + b3 * (s4[15] as number);
  const g = 4 * size;
  for (let j = 0; j < size; j++) {
    const g0 = pg[g + j] as number;
    const g1 = pg[g + size + j] as number;
    const g2 = pg[g + 2 * size + j] as number;
    const g3 = pg[g + 3 * size + j] as number;
    rows[a + j] = (rows[a + j] as number) - da0 * g0 - da1 * g1 - da2 * g2 - da3 * g3;
    if (paired) rows[b + j] = (rows[b + j] as number) - db0 * g0 - db1 * g1 - db2 * g2 - db3 * g3;
  }
}
