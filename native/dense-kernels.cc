// Dense kernel matrices and the Householder congruences of the thin-plate
// spline's null-space system (mapping/kernels/null-space-system.ts): the
// O(n²) steps of global RBF setups around the O(n³) factorization, which in
// TypeScript took as long as the native factorization itself.
#include "dense-kernels.h"

#include <math.h>

#include <algorithm>

#include "kernel-pool.h"
#include "simd.h"

namespace conflux {

namespace {

inline double Evaluate(int kind, double radius, double distance) {
  double r = distance / radius;
  switch (kind) {
    case 0: {
      if (r >= 1) return 0;
      double s = 1 - r;
      return s * s;
    }
    case 1: {
      if (r >= 1) return 0;
      double s = 1 - r;
      double s2 = s * s;
      return s2 * s2 * (4 * r + 1);
    }
    case 2: {
      if (r >= 1) return 0;
      double s = 1 - r;
      double s2 = s * s;
      return s2 * s2 * s2 * ((35 * r * r + 18 * r + 3) / 3);
    }
    case 3: {
      if (r >= 1) return 0;
      double s = 1 - r;
      double s2 = s * s;
      double s4 = s2 * s2;
      return s4 * s4 * (((32 * r + 25) * r + 8) * r + 1);
    }
    case 4:
      return exp(-r * r);
    default:
      return distance > 0 ? distance * distance * log(distance) : 0;
  }
}

struct MatrixWork {
  int kind;
  double radius;
  const double* rowXyz;
  int64_t rowCount;
  const double* columnXyz;
  int64_t columnCount;
  bool packedLower;
  double* out;
};

void MatrixPart(int part, int parts, void* context) {
  const MatrixWork& w = *static_cast<MatrixWork*>(context);
  // A packed triangle's rows grow: split where the work (rows²/2) is even.
  auto boundary = [&](int p) -> int64_t {
    if (!w.packedLower) return w.rowCount * p / parts;
    return static_cast<int64_t>(static_cast<double>(w.rowCount) * sqrt(static_cast<double>(p) / parts));
  };
  int64_t begin = part == 0 ? 0 : boundary(part);
  int64_t end = part + 1 == parts ? w.rowCount : boundary(part + 1);
  for (int64_t row = begin; row < end; row++) {
    double x = w.rowXyz[3 * row], y = w.rowXyz[3 * row + 1], z = w.rowXyz[3 * row + 2];
    int64_t columns = w.packedLower ? row + 1 : w.columnCount;
    double* out = w.packedLower ? w.out + row * (row + 1) / 2 : w.out + row * w.columnCount;
    for (int64_t column = 0; column < columns; column++) {
      double dx = x - w.columnXyz[3 * column];
      double dy = y - w.columnXyz[3 * column + 1];
      double dz = z - w.columnXyz[3 * column + 2];
      out[column] = Evaluate(w.kind, w.radius, sqrt(dx * dx + dy * dy + dz * dz));
    }
  }
}

}  // namespace

void KernelMatrix(int kind, double radius, const double* rowXyz, int64_t rowCount, const double* columnXyz,
                  int64_t columnCount, bool packedLower, double* out, int parts) {
  MatrixWork work{kind, radius, rowXyz, rowCount, columnXyz, columnCount, packedLower, out};
  RunParts(rowCount * columnCount < 100000 ? 1 : parts, MatrixPart, &work);
}

CONFLUX_KERNEL void ReflectPacked(double* phi, int64_t n, const double* v, double tau, double* w) {
  std::fill(w, w + n, 0.0);
  // w = Φ v from the lower triangle: row i gives its dot with v and adds v_i times itself into w.
  int64_t offset = 0;
  for (int64_t i = 0; i < n; i++) {
    double* row = phi + offset;
    double vi = v[i];
    Double4 sum4 = Broadcast4(0);
    Double4 vi4 = Broadcast4(vi);
    int64_t j = 0;
    for (; j + 4 <= i; j += 4) {
      Double4 value = Load4(row + j);
      sum4 += value * Load4(v + j);
      Store4(w + j, Load4(w + j) + value * vi4);
    }
    double sum = Sum4(sum4);
    for (; j < i; j++) {
      sum += row[j] * v[j];
      w[j] += row[j] * vi;
    }
    w[i] += sum + row[i] * vi;
    offset += i + 1;
  }
  double vw = 0;
  for (int64_t i = 0; i < n; i++) {
    w[i] *= tau;
    vw += v[i] * w[i];
  }
  double correction = 0.5 * tau * vw;
  for (int64_t i = 0; i < n; i++) w[i] -= correction * v[i];
  offset = 0;
  for (int64_t i = 0; i < n; i++) {
    double* row = phi + offset;
    Double4 vi4 = Broadcast4(v[i]);
    Double4 wi4 = Broadcast4(w[i]);
    int64_t j = 0;
    for (; j + 4 <= i + 1; j += 4) Store4(row + j, Load4(row + j) - vi4 * Load4(w + j) - wi4 * Load4(v + j));
    for (; j <= i; j++) row[j] -= v[i] * w[j] + w[i] * v[j];
    offset += i + 1;
  }
}

}  // namespace conflux
