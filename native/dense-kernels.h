#pragma once
#include <stdint.h>

namespace conflux {

// φ(|x_row − x_column|) for every row and column (row-major rowCount × columnCount), or for a
// square matrix on one point set, its lower triangle packed by rows (packedLower). Kinds are
// mapping/kernels/radial-kernel.ts's KERNEL_NAMES (0..3 Wendland C0..C6, 4 Gaussian, 5 thin-plate
// spline), evaluated as its evaluateKernel does. Rows are split across `parts` threads.
void KernelMatrix(int kind, double radius, const double* rowXyz, int64_t rowCount, const double* columnXyz,
                  int64_t columnCount, bool packedLower, double* out, int parts);

// Φ ← H Φ H for the reflector H = I − τ v vᵀ, Φ symmetric, its lower triangle packed by rows; `w` is n scratch.
void ReflectPacked(double* phi, int64_t n, const double* v, double tau, double* w);

}  // namespace conflux
