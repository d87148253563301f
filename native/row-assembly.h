#pragma once
#include <stdint.h>

namespace conflux {

// The arrays of an RBF-PU setup that row assembly reads and writes
// (mapping/operators/rbf-pu-assembly.ts): patches, coverage, orders, rows.
struct RowAssemblyArrays {
  const int32_t* sourceStarts;  // per patch, into sources
  const int32_t* sources;       // Morton positions of the patches' source points
  const int32_t* coverageStarts;  // per receiving point (Morton position), into the coverage entries
  const int32_t* coveragePatches;
  const int32_t* coverageRows;
  const double* coverageWeights;
  const double* weightSums;
  const int32_t* sourceOrder;   // Morton position → source mesh index
  const int32_t* targetOrder;   // Morton position → receiving mesh index
  int64_t patchCount;
  int64_t sourceCount;
  int64_t targetCount;
};

// The rows being written: pointers by receiving mesh index, columns and weights.
struct RowsOut {
  const int32_t* rowPointers;
  int32_t* columns;
  double* weights;
};

// Writes the rows of the receiving points positions[first … end): each row
// its patches' rows from their blocks (block of patch p at arena +
// blockOffsets[p − halo], t × s row-major), blended by the normalized patch
// weights, entries of one source point summed, first-seen order kept, as
// gatherRow in rbf-pu-assembly.ts. `slot` (one per source point, −1 at first)
// is the caller's scratch.
void BlendRows(const RowAssemblyArrays& a, const RowsOut& rows, const double* arena, const int32_t* blockOffsets,
               int64_t halo, const int32_t* positions, int64_t first, int64_t end, int32_t* slot);

// Row lengths of the receiving points at Morton positions [begin, end) into
// rowPointers[point + 1]: the distinct source points of their patches.
// `seen` (one per source point) is the caller's scratch, −1 at first.
void RowLengths(const RowAssemblyArrays& a, int64_t begin, int64_t end, int32_t* rowPointers, int32_t* seen);

}  // namespace conflux
