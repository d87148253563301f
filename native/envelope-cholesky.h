#pragma once
#include <stdint.h>

namespace conflux {

// The envelope layout of mapping/linalg/envelope-cholesky.ts: row i holds
// columns starts[i]..i at values[origins[i] + column]; starts never decrease
// and are shared by each block of four rows.
struct Envelope {
  double* values;
  const int32_t* starts;
  const int32_t* origins;
  int64_t size;
  // The end of the column block being subtracted (the factorization's own bookkeeping).
  int64_t k1 = 0;
};

// Factors A = L Lᵀ in place, `parts` threads on the row updates. Returns -1,
// or the row whose pivot was not positive (its value in *pivot).
int64_t FactorEnvelope(const Envelope& envelope, int parts, double* pivot);

// x = A⁻¹ b with the factors (b and x may be the same array).
void SolveEnvelope(const Envelope& envelope, const double* b, double* x);

}  // namespace conflux
