// Interpolation in time of a waveform's samples, as preCICE's Waveform::sample
// does it (precice/precice, src/time/Waveform.cpp and src/math/Bspline.cpp),
// written as weights: value(t) = Σ_i w_i(t) · sample_i, so that one set of
// weights serves every point of a mesh and nothing but n numbers is computed
// per read time.
//
// - The degree used is min(degree, n − 1).
// - Degree 0: the first sample at or after t (the only one when n = 1, the
//   last when t is after every sample).
// - A sample time within SAME_TIME_TOLERANCE of t: that sample.
// - Otherwise the interpolating B-spline of that degree through all n
//   samples: times normalised to [0, 1] (t clamped into it), knots by
//   averaging (Eigen's KnotAveraging: degree + 1 zeros, the means of each
//   `degree` consecutive parameters, degree + 1 ones), the collocation matrix
//   A with A[i][j] = N_j(u_i), and w(t) = A^{-T} b(t), b(t) the basis
//   functions at t. A is banded (bandwidth degree) and totally positive, so
//   it is factorised without pivoting (de Boor, "A Practical Guide to
//   Splines", BANFAC), once per set of sample times: `prepare`.
//
// Everything is preallocated for `capacity` samples: prepare and weights
// allocate nothing.

/** Two times closer than this are the same sample time (preCICE's math::equals, absolute). */
export const SAME_TIME_TOLERANCE = 1e-14;
/** The highest B-spline degree. */
export const MAX_DEGREE = 3;

const BAND = 2 * MAX_DEGREE + 1;

export class TimeInterpolation {
  /** The sample times of the prepared waveform (absolute). */
  private readonly times: Float64Array;
  /** Their normalised parameters u_i in [0, 1]. */
  private readonly parameters: Float64Array;
  /** n + degree + 1 knots. */
  private readonly knots: Float64Array;
  /** The LU factors of A, row i's columns i − MAX_DEGREE .. i + MAX_DEGREE. */
  private readonly band: Float64Array;
  private readonly basis = new Float64Array(MAX_DEGREE + 1);
  private readonly left = new Float64Array(MAX_DEGREE + 1);
  private readonly right = new Float64Array(MAX_DEGREE + 1);
  /** The time weightsAtReadTime weighs at. */
  readonly readTime = new Float64Array(1);
  private n = 0;
  private used = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`time interpolation: capacity ${capacity} must be a whole number ≥ 1`);
    }
    this.times = new Float64Array(capacity);
    this.parameters = new Float64Array(capacity);
    this.knots = new Float64Array(capacity + MAX_DEGREE + 1);
    this.band = new Float64Array(capacity * BAND);
  }

  /** The number of samples prepared (0 before the first prepare). */
  get sampleCount(): number {
    return this.n;
  }

  /** The degree in use: min(degree, n − 1). */
  get usedDegree(): number {
    return this.used;
  }

  /**
   * Prepares for the samples at `times[0..n−1]` (strictly increasing; the
   * caller has checked them) read with `degree`: copies the times and, for a
   * degree ≥ 1, builds and factorises the collocation matrix.
   */
  prepare(times: ArrayLike<number>, n: number, degree: number): void {
    if (!Number.isInteger(n) || n < 1 || n > this.capacity) {
      throw new RangeError(`time interpolation: ${n} samples, outside 1..${this.capacity}`);
    }
    if (!Number.isInteger(degree) || degree < 0 || degree > MAX_DEGREE) {
      throw new RangeError(`time interpolation: degree ${degree} is outside 0..${MAX_DEGREE}`);
    }
    this.n = n;
    this.used = Math.min(degree, n - 1);
    for (let i = 0; i < n; i++) this.times[i] = times[i] as number;
    if (this.used === 0) return;
    const p = this.used;
    const first = this.times[0] as number;
    const span = (this.times[n - 1] as number) - first;
    for (let i = 0; i < n; i++) this.parameters[i] = ((this.times[i] as number) - first) / span;
    this.parameters[0] = 0;
    this.parameters[n - 1] = 1;
    // KnotAveraging: knots[j + p] = mean(u_j .. u_{j+p−1}) for j = 1 .. n − p − 1.
    const knots = this.knots;
    for (let j = 0; j <= p; j++) {
      knots[j] = 0;
      knots[n + j] = 1;
    }
    for (let j = 1; j < n - p; j++) {
      let sum = 0;
      for (let i = j; i < j + p; i++) sum += this.parameters[i] as number;
      knots[j + p] = sum / p;
    }
    // The collocation matrix: row 0 and row n − 1 are unit rows, row i the basis at u_i.
    const band = this.band;
    band.fill(0, 0, n * BAND);
    band[MAX_DEGREE] = 1;
    band[(n - 1) * BAND + MAX_DEGREE] = 1;
    for (let i = 1; i < n - 1; i++) {
      const s = this.evaluateBasis(this.parameters[i] as number);
      for (let k = 0; k <= p; k++) {
        const column = s - p + k;
        band[i * BAND + column - i + MAX_DEGREE] = this.basis[k] as number;
      }
    }
    // LU without pivoting, inside the band.
    for (let k = 0; k < n; k++) {
      const pivot = band[k * BAND + MAX_DEGREE] as number;
      if (!(Math.abs(pivot) > 0)) {
        throw new RangeError(`time interpolation: the collocation matrix is singular at row ${k}`);
      }
      const last = Math.min(n - 1, k + p);
      for (let i = k + 1; i <= last; i++) {
        const at = i * BAND + k - i + MAX_DEGREE;
        const factor = (band[at] as number) / pivot;
        band[at] = factor;
        if (factor === 0) continue;
        for (let j = k + 1; j <= last; j++) {
          band[i * BAND + j - i + MAX_DEGREE] =
            (band[i * BAND + j - i + MAX_DEGREE] as number) - factor * (band[k * BAND + j - k + MAX_DEGREE] as number);
        }
      }
    }
  }

  /**
   * The weights of the prepared samples at time `t` into `out[0..n−1]`:
   * value(t) = Σ out[i] · sample_i.
   */
  weights(t: number, out: Float64Array): void {
    this.readTime[0] = t;
    this.weightsAtReadTime(out);
  }

  /**
   * weights(readTime[0], out). For hot paths: a computed double passed to a
   * function the JIT does not inline is boxed on the heap (16 bytes a call);
   * a store into readTime is not.
   */
  weightsAtReadTime(out: Float64Array): void {
    const t = this.readTime[0] as number;
    const n = this.n;
    if (n === 0) throw new RangeError("time interpolation: weights before prepare");
    if (out.length < n) throw new RangeError(`time interpolation: ${out.length} weights, ${n} samples`);
    out.fill(0, 0, n);
    const times = this.times;
    if (this.used === 0) {
      // The first sample at or after t; the only one, or the last when t is after them all.
      let chosen = n - 1;
      if (n > 1) {
        for (let i = 0; i < n; i++) {
          if ((times[i] as number) - t >= -SAME_TIME_TOLERANCE) {
            chosen = i;
            break;
          }
        }
      }
      out[chosen] = 1;
      return;
    }
    for (let i = 0; i < n; i++) {
      const difference = (times[i] as number) - t;
      if (Math.abs(difference) <= SAME_TIME_TOLERANCE) {
        out[i] = 1;
        return;
      }
      if (difference > SAME_TIME_TOLERANCE) break;
    }
    const p = this.used;
    const first = times[0] as number;
    const u = Math.min(1, Math.max(0, (t - first) / ((times[n - 1] as number) - first)));
    const s = this.evaluateBasis(u);
    for (let k = 0; k <= p; k++) out[s - p + k] = this.basis[k] as number;
    // A^T w = b with A = L U: U^T y = b (forward), then L^T w = y (backward).
    const band = this.band;
    for (let k = s - p; k < n; k++) {
      let sum = out[k] as number;
      for (let i = Math.max(0, k - p); i < k; i++)
        sum -= (band[i * BAND + k - i + MAX_DEGREE] as number) * (out[i] as number);
      out[k] = sum / (band[k * BAND + MAX_DEGREE] as number);
    }
    for (let k = n - 1; k >= 0; k--) {
      let sum = out[k] as number;
      const last = Math.min(n - 1, k + p);
      for (let i = k + 1; i <= last; i++) sum -= (band[i * BAND + k - i + MAX_DEGREE] as number) * (out[i] as number);
      out[k] = sum;
    }
  }

  /**
   * The p + 1 non-zero basis functions at u into `basis` (the Cox–de Boor
   * recursion, The NURBS Book A2.2); returns the knot span s: basis[k] is N_{s−p+k}(u).
   */
  private evaluateBasis(u: number): number {
    const p = this.used;
    const knots = this.knots;
    const n = this.n;
    // Eigen's Spline::Span: the last s in p..n−1 with knots[s] ≤ u (n − 1 at u = 1).
    let s = p;
    if (u > (knots[0] as number)) {
      s = n - 1;
      for (let k = p; k < n; k++) {
        if ((knots[k] as number) > u) {
          s = k - 1;
          break;
        }
      }
    }
    const basis = this.basis;
    const left = this.left;
    const right = this.right;
    basis[0] = 1;
    for (let j = 1; j <= p; j++) {
      left[j] = u - (knots[s + 1 - j] as number);
      right[j] = (knots[s + j] as number) - u;
      let saved = 0;
      for (let r = 0; r < j; r++) {
        const temp = (basis[r] as number) / ((right[r + 1] as number) + (left[j - r] as number));
        basis[r] = saved + (right[r + 1] as number) * temp;
        saved = (left[j - r] as number) * temp;
      }
      basis[j] = saved;
    }
    return s;
  }
}

/**
 * out[j] = Σ_{i<n} weights[i] · samples[i][j] for j < count (default
 * out.length; every sample must hold that many): the interpolated values.
 * Samples with weight 0 are skipped.
 */
export function combineSamples(
  samples: readonly Float64Array[],
  weights: Float64Array,
  n: number,
  out: Float64Array,
  count: number = out.length,
): Float64Array {
  out.fill(0, 0, count);
  for (let i = 0; i < n; i++) {
    const weight = weights[i] as number;
    if (weight === 0) continue;
    const sample = samples[i] as Float64Array;
    for (let j = 0; j < count; j++) out[j] = (out[j] as number) + weight * (sample[j] as number);
  }
  return out;
}
