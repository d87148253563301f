#pragma once
#include <stdint.h>

namespace conflux {

// Where an RBF-PU patch's sources and receiving points are, and how its interpolant is built.
struct PatchProblem {
  const double* sources;  // x, y, z of the s source points
  int64_t sourceCount;
  const double* targets;  // x, y, z of the t receiving points
  int64_t targetCount;
  int kernelKind;         // index into KERNEL_NAMES: 0..3 Wendland C0..C6, 4 Gaussian
  double radius;
  int dimension;          // of the linear polynomial: 1 + dimension terms
  double centerX, centerY, centerZ, scale;  // the polynomial's frame
};

constexpr int kPatchOk = 0;
constexpr int kPatchNeedsPseudoInverse = 1;
constexpr int kPatchNotPositiveDefinite = 2;

// Weights W (t × s, row-major) of the patch's interpolant at its receiving
// points. `schurPseudoInverse` (q × q), when given, is used instead of
// inverting the polynomial block S; without it, an ill-conditioned S returns
// kPatchNeedsPseudoInverse with S in `schurOut`. kPatchNotPositiveDefinite
// leaves the failing row in *failedRow.
int PatchWeights(const PatchProblem& problem, const double* schurPseudoInverse, double* weights, double* schurOut,
                 int64_t* failedRow);

}  // namespace conflux
