// Row assembly of RBF-PU operators: the two loops of mapping/operators/
// rbf-pu-assembly.ts that visit every (point, patch, source) triple, the
// union count of a row's columns and the blend of a row from its patches'
// weight blocks. The same arithmetic in the same order (built for the
// baseline instruction set: no fused multiply-adds), so the rows are the
// TypeScript's bit for bit; TypeScript keeps deciding which rows, when, and
// where the blocks live.
#include "row-assembly.h"

namespace conflux {

void BlendRows(const RowAssemblyArrays& a, const RowsOut& rows, const double* arena, const int32_t* blockOffsets,
               int64_t halo, const int32_t* positions, int64_t first, int64_t end, int32_t* slot) {
  for (int64_t index = first; index < end; index++) {
    int64_t position = positions[index];
    int64_t begin = rows.rowPointers[a.targetOrder[position]];
    double weightSum = a.weightSums[position];
    int64_t size = begin;
    for (int64_t entry = a.coverageStarts[position]; entry < a.coverageStarts[position + 1]; entry++) {
      int64_t patch = a.coveragePatches[entry];
      int64_t sourceBegin = a.sourceStarts[patch];
      int64_t s = a.sourceStarts[patch + 1] - sourceBegin;
      const double* block = arena + blockOffsets[patch - halo] + a.coverageRows[entry] * s;
      double blend = a.coverageWeights[entry] / weightSum;
      const int32_t* sources = a.sources + sourceBegin;
      // Without a branch on whether the source point is new to the row (as
      // often as not it is, in no pattern a predictor learns): both cases are
      // computed, and the row's slot, column and weight written either way.
      double* rowWeights = rows.weights;
      int32_t* rowColumns = rows.columns;
      for (int64_t j = 0; j < s; j++) {
        int32_t source = sources[j];
        double weight = blend * block[j];
        int64_t existing = slot[source];
        bool have = static_cast<uint64_t>(existing - begin) < static_cast<uint64_t>(size - begin);
        int64_t at = have ? existing : size;
        double value = have ? rowWeights[at] + weight : weight;
        int32_t column = have ? rowColumns[at] : a.sourceOrder[source];
        rowWeights[at] = value;
        rowColumns[at] = column;
        slot[source] = static_cast<int32_t>(at);
        size += have ? 0 : 1;
      }
    }
  }
}

void RowLengths(const RowAssemblyArrays& a, int64_t begin, int64_t end, int32_t* rowPointers, int32_t* seen) {
  for (int64_t position = begin; position < end; position++) {
    int32_t length = 0;
    for (int64_t entry = a.coverageStarts[position]; entry < a.coverageStarts[position + 1]; entry++) {
      int64_t patch = a.coveragePatches[entry];
      for (int64_t n = a.sourceStarts[patch]; n < a.sourceStarts[patch + 1]; n++) {
        int32_t source = a.sources[n];
        if (seen[source] != position) {
          seen[source] = static_cast<int32_t>(position);
          length++;
        }
      }
    }
    rowPointers[a.targetOrder[position] + 1] = length;
  }
}

}  // namespace conflux
