#pragma once
#include <stdint.h>

namespace conflux {

// target[i] = source[partners[i]] for i < count, in `parts` parts.
void ParallelGather(const double* source, double* target, const int32_t* partners, int64_t count, int parts);

// target = W source for the compressed rows (rowPointers has rows + 1 entries), in `parts` parts of about equal entries.
void ParallelSparseMultiply(const int32_t* rowPointers, const int32_t* columns, const double* weights,
                            const double* source, double* target, int64_t rows, int parts);

}  // namespace conflux
