// The augmented RBF system for a kernel that is only conditionally positive
// definite (the thin-plate spline): Φ is indefinite, but positive definite on
// the vectors orthogonal to the polynomials. With P Π = Q R (Householder) and
// B = Qᵀ Φ Q split after the rank r of P:
//
//   α = Q [a; b],  a = R⁻ᵀ Πᵀ m,  b = B₂₂⁻¹ ((Qᵀ u)₂ − B₂₁ a),
//   β = Π R⁻¹ ((Qᵀ u)₁ − B₁₁ a − B₂₁ᵀ b)      (dependent terms of β set to 0),
//
// and B₂₂ is positive definite, so Cholesky applies. Dense: O(n³) setup.

import { totalByteLength } from "../array-memory.ts";
import { EnvelopeCholesky } from "../linalg/envelope-cholesky.ts";
import { HouseholderQr } from "../linalg/householder-qr.ts";
import { MappingError } from "../mapping-error.ts";
import { nativeKernels, numericBackend } from "../numeric-backend.ts";
import type { AugmentedSystem, PolynomialFrame } from "./augmented-system.ts";
import { fillPackedKernelMatrix } from "./packed-kernel-matrix.ts";
import type { RadialKernel } from "./radial-kernel.ts";
import { MAX_FACTOR_ENTRIES } from "./schur-system.ts";

export class NullSpaceSystem implements AugmentedSystem {
  readonly termCount: number;
  private readonly rank: number;
  private readonly scratch: Float64Array;
  /** The part of `scratch` past the first `rank` entries (a view made once: subarray allocates). */
  private readonly tail: Float64Array;
  private readonly head: Float64Array;
  private readonly pivoted: Float64Array;

  constructor(
    readonly pointCount: number,
    private readonly qr: HouseholderQr,
    /** B₁₁, r × r row-major. */
    private readonly b11: Float64Array,
    /** B₂₁, (n − r) × r row-major. */
    private readonly b21: Float64Array,
    private readonly b22: EnvelopeCholesky,
  ) {
    this.termCount = qr.columns;
    this.rank = qr.rank;
    this.scratch = new Float64Array(pointCount);
    this.tail = this.scratch.subarray(qr.rank);
    this.head = new Float64Array(qr.columns);
    this.pivoted = new Float64Array(qr.columns);
  }

  get byteLength(): number {
    return totalByteLength(this.qr.reflectors, this.b11, this.b21, this.b22, this.scratch);
  }

  solve(values: Float64Array, moments: Float64Array, coefficients: Float64Array, polynomial: Float64Array): void {
    const n = this.pointCount;
    const r = this.rank;
    const q = this.termCount;
    const rMatrix = this.qr.r;
    const permutation = this.qr.permutation;
    const c = this.scratch;
    const a = this.head;
    c.set(values);
    this.qr.applyTranspose(c);
    // a = R⁻ᵀ (Πᵀ m)₁: forward substitution with R₁₁ᵀ.
    for (let j = 0; j < r; j++) {
      let sum = moments[permutation[j] as number] as number;
      for (let i = 0; i < j; i++) sum -= (rMatrix[i * q + j] as number) * (a[i] as number);
      a[j] = sum / (rMatrix[j * q + j] as number);
    }
    // (Qᵀu)₁ − B₁₁ a, kept in polynomial[] until β is solved (c₁ is about to be overwritten).
    for (let i = 0; i < r; i++) {
      let sum = c[i] as number;
      for (let j = 0; j < r; j++) sum -= (this.b11[i * r + j] as number) * (a[j] as number);
      polynomial[i] = sum;
    }
    // b = B₂₂⁻¹ ((Qᵀu)₂ − B₂₁ a), solved in place in c[r..n).
    const tail = this.tail;
    const b21 = this.b21;
    if (r > 0) {
      for (let i = 0; i < n - r; i++) {
        let sum = tail[i] as number;
        for (let j = 0; j < r; j++) sum -= (b21[i * r + j] as number) * (a[j] as number);
        tail[i] = sum;
      }
    }
    this.b22.solve(tail, tail);
    // (Qᵀu)₁ − B₁₁ a − B₂₁ᵀ b, then β through R₁₁ (back substitution).
    for (let i = 0; i < n - r; i++) {
      const bi = tail[i] as number;
      for (let j = 0; j < r; j++) polynomial[j] = (polynomial[j] as number) - (b21[i * r + j] as number) * bi;
    }
    for (let j = r - 1; j >= 0; j--) {
      let sum = polynomial[j] as number;
      for (let k = j + 1; k < r; k++) sum -= (rMatrix[j * q + k] as number) * (polynomial[k] as number);
      polynomial[j] = sum / (rMatrix[j * q + j] as number);
    }
    // Undo the pivoting; dependent terms get 0.
    const pivoted = this.pivoted;
    for (let j = 0; j < q; j++) pivoted[j] = j < r ? (polynomial[j] as number) : 0;
    for (let j = 0; j < q; j++) polynomial[permutation[j] as number] = pivoted[j] as number;
    // α = Q [a; b].
    for (let j = 0; j < r; j++) c[j] = a[j] as number;
    this.qr.apply(c);
    coefficients.set(c);
  }
}

export function factorNullSpaceSystem(
  xyz: Float64Array,
  count: number,
  kernel: RadialKernel,
  frame: PolynomialFrame,
  label: string,
  threads = 1,
): NullSpaceSystem {
  const q = frame.termCount;
  if ((count * (count + 1)) / 2 > MAX_FACTOR_ENTRIES) {
    throw new MappingError(
      `${label}: a global ${kernel.name} system on ${count} points is dense and O(n³) to set up (limit 5,000 points); use rbf-pu or a compact Wendland kernel`,
    );
  }
  // Φ, packed lower triangle by rows.
  const phi = new Float64Array((count * (count + 1)) / 2);
  fillPackedKernelMatrix(kernel, xyz, count, phi, threads);
  const native = numericBackend() === "native";
  let offset = 0;
  const rowMajor = frame.evaluateAll(xyz, count);
  const columnMajor = new Float64Array(count * q);
  for (let point = 0; point < count; point++) {
    for (let term = 0; term < q; term++) columnMajor[term * count + point] = rowMajor[point * q + term] as number;
  }
  const qr = new HouseholderQr(columnMajor, count, q);
  const r = qr.rank;
  // B = Qᵀ Φ Q, one reflector at a time: Φ ← H Φ H, a symmetric rank-2 update.
  const v = new Float64Array(count);
  const w = new Float64Array(count);
  for (let k = 0; k < r; k++) {
    qr.reflector(k, v);
    const tau = qr.tau[k] as number;
    if (native) {
      nativeKernels.reflectPacked(phi, count, v, tau, w);
      continue;
    }
    w.fill(0);
    offset = 0;
    for (let i = 0; i < count; i++) {
      const vi = v[i] as number;
      let sum = 0;
      for (let j = 0; j < i; j++) {
        const value = phi[offset + j] as number;
        sum += value * (v[j] as number);
        w[j] = (w[j] as number) + value * vi;
      }
      w[i] = (w[i] as number) + sum + (phi[offset + i] as number) * vi;
      offset += i + 1;
    }
    let vw = 0;
    for (let i = 0; i < count; i++) {
      w[i] = tau * (w[i] as number);
      vw += (v[i] as number) * (w[i] as number);
    }
    const correction = 0.5 * tau * vw;
    for (let i = 0; i < count; i++) w[i] = (w[i] as number) - correction * (v[i] as number);
    offset = 0;
    for (let i = 0; i < count; i++) {
      const vi = v[i] as number;
      const wi = w[i] as number;
      for (let j = 0; j <= i; j++) {
        phi[offset + j] = (phi[offset + j] as number) - vi * (w[j] as number) - wi * (v[j] as number);
      }
      offset += i + 1;
    }
  }
  const packed = (i: number, j: number): number => phi[(i * (i + 1)) / 2 + j] as number;
  const b11 = new Float64Array(r * r);
  for (let i = 0; i < r; i++) for (let j = 0; j < r; j++) b11[i * r + j] = i >= j ? packed(i, j) : packed(j, i);
  const b21 = new Float64Array((count - r) * r);
  for (let i = r; i < count; i++) for (let j = 0; j < r; j++) b21[(i - r) * r + j] = packed(i, j);
  const b22 = EnvelopeCholesky.dense(count - r);
  const values = b22.values;
  offset = 0;
  for (let i = r; i < count; i++) {
    const base = (i * (i + 1)) / 2 + r;
    values.set(phi.subarray(base, base + i - r + 1), offset);
    offset += i - r + 1;
  }
  b22.factor(label, threads);
  return new NullSpaceSystem(count, qr, b11, b21, b22);
}
