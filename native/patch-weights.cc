// One RBF-PU patch's weights, the arithmetic of mapping/operators/
// rbf-local-weights.ts (which stays the reference this is tested against):
//
//   Φ = L Lᵀ,  W₁ = E Φ⁻¹,  G = Φ⁻¹ P,  S = Pᵀ G,  W = W₁ − (W₁ P − P_E) S⁺ Gᵀ,
//
// with E the kernel between receiving and source points. The solves work on
// Eᵀ (a column per receiving point), so that every step is an update of whole
// rows of receiving points: four-wide vectors across receiving points, no sums
// across lanes, and each receiving point's weights come out of arithmetic
// fixed by the patch and the point's place in it (never by the thread that
// computes it). Scratch is per thread and grows only when a larger patch
// arrives.
#include "patch-weights.h"

#include <math.h>

#include <algorithm>
#include <vector>

#include "simd.h"

namespace conflux {

namespace {

struct Scratch {
  std::vector<double> lower;     // L, s × s row-major
  std::vector<double> inverse;   // 1 / L[i][i]
  std::vector<double> columns;   // Eᵀ, then W₁ᵀ, then Wᵀ: s × t
  std::vector<double> targetX, targetY, targetZ;
  std::vector<double> sourceX, sourceY, sourceZ;
  std::vector<double> column;
  std::vector<double> polynomial;  // P, s × 4 (unused terms 0)
  std::vector<double> g;           // G = Φ⁻¹ P, s × 4
  std::vector<double> moments;     // W₁ P − P_E, then its product with S⁺: 4 × t

  void Ensure(int64_t s, int64_t t) {
    if (lower.size() < static_cast<size_t>(s * s)) lower.resize(s * s);
    if (inverse.size() < static_cast<size_t>(s)) inverse.resize(s);
    if (columns.size() < static_cast<size_t>(s * t)) columns.resize(s * t);
    if (targetX.size() < static_cast<size_t>(t)) {
      targetX.resize(t);
      targetY.resize(t);
      targetZ.resize(t);
    }
    if (sourceX.size() < static_cast<size_t>(s)) {
      sourceX.resize(s);
      sourceY.resize(s);
      sourceZ.resize(s);
      column.resize(s);
    }
    if (polynomial.size() < static_cast<size_t>(4 * s)) {
      polynomial.resize(4 * s);
      g.resize(4 * s);
    }
    if (moments.size() < static_cast<size_t>(4 * t)) moments.resize(4 * t);
  }
};

thread_local Scratch scratch;

// φ of a squared distance, as mapping/kernels/radial-kernel.ts's
// evaluateKernelRow computes it, but without branches — (1 − r) clamped at 0
// gives the same values, 0 beyond the support — so that loops over many
// points vectorize (square roots and divisions included).
template <int Kind>
CONFLUX_INLINE double KernelOf(double squared, double radius, double inverse) {
  if (Kind == 4) return exp(-squared * (inverse * inverse));
  double r = Kind == 1 ? sqrt(squared) * inverse : sqrt(squared) / radius;
  double s = std::max(1 - r, 0.0);
  double s2 = s * s;
  if (Kind == 0) return s2;
  if (Kind == 1) return s2 * s2 * (4 * r + 1);
  if (Kind == 2) return s2 * s2 * s2 * ((35 * r * r + 18 * r + 3) / 3);
  double s4 = s2 * s2;
  return s4 * s4 * (((32 * r + 25) * r + 8) * r + 1);
}

// Φ's lower triangle, row by row.
template <int Kind>
CONFLUX_INLINE void KernelMatrixOf(const double* sx, const double* sy, const double* sz, int64_t n, double radius,
                                   double* phi) {
  double inverse = 1 / radius;
  for (int64_t i = 0; i < n; i++) {
    double x = sx[i], y = sy[i], z = sz[i];
    double* row = phi + i * n;
    for (int64_t j = 0; j <= i; j++) {
      double dx = x - sx[j], dy = y - sy[j], dz = z - sz[j];
      row[j] = KernelOf<Kind>(dx * dx + dy * dy + dz * dz, radius, inverse);
    }
  }
}

// Eᵀ: column r holds φ(|y_r − x_j|) down the rows j.
template <int Kind>
CONFLUX_INLINE void EvaluationColumnsOf(const double* sx, const double* sy, const double* sz, int64_t s,
                                        const double* tx, const double* ty, const double* tz, int64_t t,
                                        double radius, double* out) {
  double inverse = 1 / radius;
  for (int64_t j = 0; j < s; j++) {
    double x = sx[j], y = sy[j], z = sz[j];
    double* row = out + j * t;
    for (int64_t r = 0; r < t; r++) {
      double dx = tx[r] - x, dy = ty[r] - y, dz = tz[r] - z;
      row[r] = KernelOf<Kind>(dx * dx + dy * dy + dz * dz, radius, inverse);
    }
  }
}

CONFLUX_KERNEL void KernelMatrix(int kind, const double* sx, const double* sy, const double* sz, int64_t n,
                                 double radius, double* phi) {
  switch (kind) {
    case 0: return KernelMatrixOf<0>(sx, sy, sz, n, radius, phi);
    case 1: return KernelMatrixOf<1>(sx, sy, sz, n, radius, phi);
    case 2: return KernelMatrixOf<2>(sx, sy, sz, n, radius, phi);
    case 3: return KernelMatrixOf<3>(sx, sy, sz, n, radius, phi);
    default: return KernelMatrixOf<4>(sx, sy, sz, n, radius, phi);
  }
}

CONFLUX_KERNEL void EvaluationColumns(int kind, const double* sx, const double* sy, const double* sz, int64_t s,
                                      const double* tx, const double* ty, const double* tz, int64_t t, double radius,
                                      double* out) {
  switch (kind) {
    case 0: return EvaluationColumnsOf<0>(sx, sy, sz, s, tx, ty, tz, t, radius, out);
    case 1: return EvaluationColumnsOf<1>(sx, sy, sz, s, tx, ty, tz, t, radius, out);
    case 2: return EvaluationColumnsOf<2>(sx, sy, sz, s, tx, ty, tz, t, radius, out);
    case 3: return EvaluationColumnsOf<3>(sx, sy, sz, s, tx, ty, tz, t, radius, out);
    default: return EvaluationColumnsOf<4>(sx, sy, sz, s, tx, ty, tz, t, radius, out);
  }
}

// L of the lower triangle of Φ (+ shift on the diagonal), by columns: column
// k is finished, then every row below takes its share of it out of the rows'
// remaining entries — an update of contiguous row segments, which
// vectorizes without sums across lanes. `column` is scratch of n. Returns -1
// or the failing row.
CONFLUX_KERNEL int64_t FactorSmall(const double* matrix, int64_t n, double shift, double* l, double* inverse,
                                   double* column) {
  for (int64_t i = 0; i < n; i++) {
    for (int64_t j = 0; j <= i; j++) l[i * n + j] = matrix[i * n + j];
    l[i * n + i] += shift;
  }
  for (int64_t k = 0; k < n; k++) {
    double pivot = l[k * n + k];
    if (!(pivot > 0)) return k;
    double root = sqrt(pivot);
    double scale = 1 / root;
    l[k * n + k] = root;
    inverse[k] = scale;
    for (int64_t i = k + 1; i < n; i++) {
      double value = l[i * n + k] * scale;
      l[i * n + k] = value;
      column[i] = value;
    }
    for (int64_t i = k + 1; i < n; i++) {
      double lik = column[i];
      double* row = l + i * n;
      for (int64_t j = k + 1; j <= i; j++) row[j] -= lik * column[j];
    }
  }
  return -1;
}

// One row of 16 columns: x_i ← (x_i − Σ_{from ≤ k < to} a[k·step] · x_k) · d,
// the row left over when the row pairs above run out (the forward solve reads
// row i of L, step 1; the backward one column i, step n).
CONFLUX_INLINE void SolveRow16(double* xi, const double* x, int64_t stride, const double* a, int64_t step,
                               int64_t from, int64_t to, double d) {
  Double4 a0 = Load4(xi), a1 = Load4(xi + 4), a2 = Load4(xi + 8), a3 = Load4(xi + 12);
  for (int64_t k = from; k < to; k++) {
    Double4 f = Broadcast4(a[k * step]);
    const double* xk = x + k * stride;
    a0 -= f * Load4(xk);
    a1 -= f * Load4(xk + 4);
    a2 -= f * Load4(xk + 8);
    a3 -= f * Load4(xk + 12);
  }
  Double4 scale = Broadcast4(d);
  Store4(xi, a0 * scale);
  Store4(xi + 4, a1 * scale);
  Store4(xi + 8, a2 * scale);
  Store4(xi + 12, a3 * scale);
}

// Two rows of a triangular solve on 16 columns, sharing every load of the
// rows they depend on: row p less Σ a[k·step] x_k, times dp; row q less
// Σ b[k·step] x_k and g times the new row p, times dq (k over [from, to),
// x_k the row at x + k·stride). As two single rows would compute them, except
// that row q takes row p's term after the others (the backward solve's single
// rows take it first): a column solved here may differ from one solved four
// or one at a time in the last bits.
CONFLUX_INLINE void SolveRowPair16(double* xp, double* xq, const double* x, int64_t stride, const double* a,
                                   const double* b, int64_t step, int64_t from, int64_t to, double dp, double g,
                                   double dq) {
  Double4 a0 = Load4(xp), a1 = Load4(xp + 4), a2 = Load4(xp + 8), a3 = Load4(xp + 12);
  Double4 b0 = Load4(xq), b1 = Load4(xq + 4), b2 = Load4(xq + 8), b3 = Load4(xq + 12);
  for (int64_t k = from; k < to; k++) {
    Double4 f = Broadcast4(a[k * step]);
    Double4 h = Broadcast4(b[k * step]);
    const double* xk = x + k * stride;
    Double4 y0 = Load4(xk), y1 = Load4(xk + 4), y2 = Load4(xk + 8), y3 = Load4(xk + 12);
    a0 -= f * y0;
    a1 -= f * y1;
    a2 -= f * y2;
    a3 -= f * y3;
    b0 -= h * y0;
    b1 -= h * y1;
    b2 -= h * y2;
    b3 -= h * y3;
  }
  Double4 d = Broadcast4(dp);
  a0 *= d;
  a1 *= d;
  a2 *= d;
  a3 *= d;
  Store4(xp, a0);
  Store4(xp + 4, a1);
  Store4(xp + 8, a2);
  Store4(xp + 12, a3);
  Double4 r = Broadcast4(g);
  Double4 e = Broadcast4(dq);
  Store4(xq, (b0 - r * a0) * e);
  Store4(xq + 4, (b1 - r * a1) * e);
  Store4(xq + 8, (b2 - r * a2) * e);
  Store4(xq + 12, (b3 - r * a3) * e);
}

// X ← Φ⁻¹ X for X of n rows × m columns (row stride `stride`): L y = x, then Lᵀ x = y, each row an update of whole rows.
CONFLUX_KERNEL void SolveColumns(const double* l, const double* inverse, int64_t n, double* x, int64_t m,
                                 int64_t stride) {
  int64_t c = 0;
  // Sixteen columns at a time (four vectors), two rows at a time (each
  // column value loaded serves both rows), then four columns, then one.
  for (; c + 16 <= m; c += 16) {
    int64_t i = 0;
    for (; i + 1 < n; i += 2) {
      const double* li = l + i * n;
      double* xi = x + i * stride + c;
      SolveRowPair16(xi, xi + stride, x + c, stride, li, li + n, 1, 0, i, inverse[i], li[n + i], inverse[i + 1]);
    }
    for (; i < n; i++) SolveRow16(x + i * stride + c, x + c, stride, l + i * n, 1, 0, i, inverse[i]);
    i = n - 1;
    for (; i >= 1; i -= 2) {
      double* xi = x + i * stride + c;
      SolveRowPair16(xi, xi - stride, x + c, stride, l + i, l + i - 1, n, i + 1, n, inverse[i], l[i * n + i - 1],
                     inverse[i - 1]);
    }
    for (; i >= 0; i--) SolveRow16(x + i * stride + c, x + c, stride, l + i, n, i + 1, n, inverse[i]);
  }
  for (; c + 4 <= m; c += 4) {
    for (int64_t i = 0; i < n; i++) {
      double* xi = x + i * stride + c;
      Double4 a = Load4(xi);
      const double* li = l + i * n;
      for (int64_t k = 0; k < i; k++) a -= Broadcast4(li[k]) * Load4(x + k * stride + c);
      Store4(xi, a * Broadcast4(inverse[i]));
    }
    for (int64_t i = n - 1; i >= 0; i--) {
      double* xi = x + i * stride + c;
      Double4 a = Load4(xi);
      for (int64_t k = i + 1; k < n; k++) a -= Broadcast4(l[k * n + i]) * Load4(x + k * stride + c);
      Store4(xi, a * Broadcast4(inverse[i]));
    }
  }
  for (; c < m; c++) {
    for (int64_t i = 0; i < n; i++) {
      double a = x[i * stride + c];
      const double* li = l + i * n;
      for (int64_t k = 0; k < i; k++) a -= li[k] * x[k * stride + c];
      x[i * stride + c] = a * inverse[i];
    }
    for (int64_t i = n - 1; i >= 0; i--) {
      double a = x[i * stride + c];
      for (int64_t k = i + 1; k < n; k++) a -= l[k * n + i] * x[k * stride + c];
      x[i * stride + c] = a * inverse[i];
    }
  }
}

// The criterion of mapping/linalg/symmetric-solve.ts's wellConditionedInverse: S⁻¹ by Cholesky, if S is clearly invertible.
bool WellConditionedInverse(const double* matrix, int n, double* inverse) {
  double l[16];
  double trace = 0;
  for (int i = 0; i < n; i++) {
    for (int j = 0; j <= i; j++) {
      double sum = matrix[i * n + j];
      for (int k = 0; k < j; k++) sum -= l[i * n + k] * l[j * n + k];
      if (i == j) {
        if (!(sum > 0)) return false;
        l[i * n + i] = sqrt(sum);
      } else {
        l[i * n + j] = sum / l[j * n + j];
      }
    }
    trace += matrix[i * n + i];
  }
  double squares = 0;
  for (int k = 0; k < n; k++) {
    for (int i = 0; i < n; i++) {
      double sum = i == k ? 1 : 0;
      for (int m = 0; m < i; m++) sum -= l[i * n + m] * inverse[m * n + k];
      inverse[i * n + k] = sum / l[i * n + i];
    }
    for (int i = n - 1; i >= 0; i--) {
      double sum = inverse[i * n + k];
      for (int m = i + 1; m < n; m++) sum -= l[m * n + i] * inverse[m * n + k];
      double value = sum / l[i * n + i];
      inverse[i * n + k] = value;
      squares += value * value;
    }
  }
  return trace * sqrt(squares) * 1e-10 < 0.01;
}

// W = W₁ − (W₁ P − P_E) S⁺ Gᵀ on the columns (Wᵀ), and the result into `weights` (t × s).
CONFLUX_KERNEL void CorrectAndStore(const PatchProblem& p, const double* tx, const double* ty, const double* tz,
                                    const double* schurPlus, double* columns, int64_t stride,
                                    const double* polynomial, const double* g, double* moments, double* weights) {
  int64_t s = p.sourceCount;
  int64_t t = p.targetCount;
  int q = 1 + p.dimension;
  double* c0 = moments;
  double* c1 = moments + t;
  double* c2 = moments + 2 * t;
  double* c3 = moments + 3 * t;
  // c = W₁ P − P_E: P's first column is all ones.
  double inverseScale = 1 / p.scale;
  for (int64_t r = 0; r < t; r++) {
    c0[r] = -1;
    c1[r] = -((tx[r] - p.centerX) * inverseScale);
    c2[r] = q > 2 ? -((ty[r] - p.centerY) * inverseScale) : 0;
    c3[r] = q > 3 ? -((tz[r] - p.centerZ) * inverseScale) : 0;
  }
  for (int64_t j = 0; j < s; j++) {
    const double* row = columns + j * stride;
    double p1 = polynomial[4 * j + 1], p2 = polynomial[4 * j + 2], p3 = polynomial[4 * j + 3];
    for (int64_t r = 0; r < t; r++) {
      double u = row[r];
      c0[r] += u;
      c1[r] += u * p1;
      c2[r] += u * p2;
      c3[r] += u * p3;
    }
  }
  // d = c S⁺ (S⁺ padded to 4 × 4 with zeros).
  double s4[16] = {0};
  for (int a = 0; a < q; a++)
    for (int b = 0; b < q; b++) s4[a * 4 + b] = schurPlus[a * q + b];
  for (int64_t r = 0; r < t; r++) {
    double a0 = c0[r], a1 = c1[r], a2 = c2[r], a3 = c3[r];
    c0[r] = a0 * s4[0] + a1 * s4[4] + a2 * s4[8] + a3 * s4[12];
    c1[r] = a0 * s4[1] + a1 * s4[5] + a2 * s4[9] + a3 * s4[13];
    c2[r] = a0 * s4[2] + a1 * s4[6] + a2 * s4[10] + a3 * s4[14];
    c3[r] = a0 * s4[3] + a1 * s4[7] + a2 * s4[11] + a3 * s4[15];
  }
  for (int64_t j = 0; j < s; j++) {
    double* row = columns + j * stride;
    double g0 = g[4 * j], g1 = g[4 * j + 1], g2 = g[4 * j + 2], g3 = g[4 * j + 3];
    for (int64_t r = 0; r < t; r++) {
      double value = row[r] - c0[r] * g0 - c1[r] * g1 - c2[r] * g2 - c3[r] * g3;
      weights[r * s + j] = value;
    }
  }
}

}  // namespace

int PatchWeights(const PatchProblem& p, const double* schurPseudoInverse, double* weights, double* schurOut,
                 int64_t* failedRow) {
  int64_t s = p.sourceCount;
  int64_t t = p.targetCount;
  int q = 1 + p.dimension;
  Scratch& w = scratch;
  w.Ensure(s, t);
  for (int64_t j = 0; j < s; j++) {
    w.sourceX[j] = p.sources[3 * j];
    w.sourceY[j] = p.sources[3 * j + 1];
    w.sourceZ[j] = p.sources[3 * j + 2];
  }
  // Φ's lower triangle, in `columns` for now (s × s fits: it is resized for it below when t < s).
  if (w.columns.size() < static_cast<size_t>(s * s)) w.columns.resize(s * s);
  double* phi = w.columns.data();
  KernelMatrix(p.kernelKind, w.sourceX.data(), w.sourceY.data(), w.sourceZ.data(), s, p.radius, phi);
  double trace = 0;
  for (int64_t i = 0; i < s; i++) trace += phi[i * s + i];
  // A matrix singular in floating point gets a tiny diagonal shift, as DenseCholesky.factor(…, regularize) does.
  double shift = 0;
  for (int attempt = 0;; attempt++) {
    int64_t failed = FactorSmall(phi, s, shift, w.lower.data(), w.inverse.data(), w.column.data());
    if (failed < 0) break;
    if (attempt == 4) {
      *failedRow = failed;
      return kPatchNotPositiveDefinite;
    }
    shift = (trace / s) * 1e-12 * pow(100, attempt);
  }
  // P in the frame, and G = Φ⁻¹ P.
  double inverseScale = 1 / p.scale;
  for (int64_t j = 0; j < s; j++) {
    double* pj = w.polynomial.data() + 4 * j;
    pj[0] = 1;
    pj[1] = (p.sources[3 * j] - p.centerX) * inverseScale;
    pj[2] = q > 2 ? (p.sources[3 * j + 1] - p.centerY) * inverseScale : 0;
    pj[3] = q > 3 ? (p.sources[3 * j + 2] - p.centerZ) * inverseScale : 0;
  }
  std::copy(w.polynomial.begin(), w.polynomial.begin() + 4 * s, w.g.begin());
  // All four columns (terms beyond q are zero and stay so): the four-wide path.
  SolveColumns(w.lower.data(), w.inverse.data(), s, w.g.data(), 4, 4);
  double schur[16];
  for (int a = 0; a < q; a++) {
    for (int b = 0; b <= a; b++) {
      double sum = 0;
      for (int64_t j = 0; j < s; j++) sum += w.polynomial[4 * j + a] * w.g[4 * j + b];
      schur[a * q + b] = sum;
      schur[b * q + a] = sum;
    }
  }
  double schurInverse[16];
  const double* schurPlus = schurPseudoInverse;
  if (schurPlus == nullptr) {
    if (!WellConditionedInverse(schur, q, schurInverse)) {
      for (int i = 0; i < q * q; i++) schurOut[i] = schur[i];
      return kPatchNeedsPseudoInverse;
    }
    schurPlus = schurInverse;
  }
  // Eᵀ, then W₁ᵀ = Φ⁻¹ Eᵀ, on columns padded to a multiple of four with
  // copies of the first receiving point: a column left over from the vectors
  // would be solved alone, as one long chain of dependent multiply-adds.
  int64_t padded = (t + 3) & ~int64_t{3};
  w.Ensure(s, padded);
  for (int64_t r = 0; r < padded; r++) {
    int64_t from = r < t ? r : 0;
    w.targetX[r] = p.targets[3 * from];
    w.targetY[r] = p.targets[3 * from + 1];
    w.targetZ[r] = p.targets[3 * from + 2];
  }
  double* columns = w.columns.data();
  EvaluationColumns(p.kernelKind, w.sourceX.data(), w.sourceY.data(), w.sourceZ.data(), s, w.targetX.data(),
                    w.targetY.data(), w.targetZ.data(), padded, p.radius, columns);
  SolveColumns(w.lower.data(), w.inverse.data(), s, columns, padded, padded);
  CorrectAndStore(p, w.targetX.data(), w.targetY.data(), w.targetZ.data(), schurPlus, columns, padded,
                  w.polynomial.data(), w.g.data(), w.moments.data(), weights);
  return kPatchOk;
}

}  // namespace conflux
