// The applies of nearest-neighbour and sparse operators across the kernel
// pool: a gather, and a sparse matrix-vector product by compressed rows. Each
// target value is computed by exactly the arithmetic of the TypeScript loops
// (the same eight partial sums, added in the same order; this file is built
// without fused multiply-adds), so the result is bitwise the same whatever the
// number of threads, and the same as the TypeScript apply's.
#include "sparse-apply.h"

#include <stdint.h>

#include "kernel-pool.h"

namespace conflux {

namespace {

struct GatherWork {
  const double* source;
  double* target;
  const int32_t* partners;
  int64_t count;
};

void GatherPart(int part, int parts, void* context) {
  const GatherWork& work = *static_cast<GatherWork*>(context);
  int64_t begin = work.count * part / parts;
  int64_t end = work.count * (part + 1) / parts;
  const double* source = work.source;
  double* target = work.target;
  const int32_t* partners = work.partners;
  for (int64_t i = begin; i < end; i++) target[i] = source[partners[i]];
}

struct MultiplyWork {
  const int32_t* rowPointers;
  const int32_t* columns;
  const double* weights;
  const double* source;
  double* target;
  int64_t rows;
};

// The first row whose entries start at or after `entry`: rows split by entries, not by count.
int64_t RowAtEntry(const int32_t* rowPointers, int64_t rows, int64_t entry) {
  int64_t low = 0;
  int64_t high = rows;
  while (low < high) {
    int64_t middle = (low + high) / 2;
    if (rowPointers[middle] < entry) low = middle + 1;
    else high = middle;
  }
  return low;
}

void MultiplyPart(int part, int parts, void* context) {
  const MultiplyWork& work = *static_cast<MultiplyWork*>(context);
  int64_t entries = work.rowPointers[work.rows];
  int64_t begin = part == 0 ? 0 : RowAtEntry(work.rowPointers, work.rows, entries * part / parts);
  int64_t end = part + 1 == parts ? work.rows : RowAtEntry(work.rowPointers, work.rows, entries * (part + 1) / parts);
  const int32_t* rowPointers = work.rowPointers;
  const int32_t* columns = work.columns;
  const double* weights = work.weights;
  const double* source = work.source;
  double* target = work.target;
  for (int64_t row = begin; row < end; row++) {
    int64_t entry = rowPointers[row];
    int64_t last = rowPointers[row + 1];
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    for (; entry + 7 < last; entry += 8) {
      s0 += weights[entry] * source[columns[entry]];
      s1 += weights[entry + 1] * source[columns[entry + 1]];
      s2 += weights[entry + 2] * source[columns[entry + 2]];
      s3 += weights[entry + 3] * source[columns[entry + 3]];
      s4 += weights[entry + 4] * source[columns[entry + 4]];
      s5 += weights[entry + 5] * source[columns[entry + 5]];
      s6 += weights[entry + 6] * source[columns[entry + 6]];
      s7 += weights[entry + 7] * source[columns[entry + 7]];
    }
    for (; entry < last; entry++) s0 += weights[entry] * source[columns[entry]];
    target[row] = s0 + s1 + (s2 + s3) + (s4 + s5 + (s6 + s7));
  }
}

}  // namespace

void ParallelGather(const double* source, double* target, const int32_t* partners, int64_t count, int parts) {
  GatherWork work{source, target, partners, count};
  RunParts(parts, GatherPart, &work);
}

void ParallelSparseMultiply(const int32_t* rowPointers, const int32_t* columns, const double* weights,
                            const double* source, double* target, int64_t rows, int parts) {
  MultiplyWork work{rowPointers, columns, weights, source, target, rows};
  RunParts(parts, MultiplyPart, &work);
}

}  // namespace conflux
