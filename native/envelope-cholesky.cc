// Blocked right-looking Cholesky on the envelope layout. For each block K of
// 64 columns: factor the block's own rows (every earlier block's contribution
// already subtracted), then the rows below it solve for their entries in K
// (the panel), then those rows subtract the panel's contribution from their
// entries right of K (the trailing update). The panel and the update are split
// by rows across the kernel pool: a row's arithmetic does not depend on which
// thread does it, so the factor is the same whatever the thread count. The
// update's inner kernel takes four rows by two columns, dot products over the
// block's 64 columns in four-wide vectors, so that each value loaded serves
// several multiply-adds, and a block of the factor is reused from cache
// across all the rows below it.
#include "envelope-cholesky.h"

#include <math.h>

#include <algorithm>
#include <atomic>

#include "kernel-pool.h"
#include "simd.h"

namespace conflux {

namespace {

constexpr int64_t kBlock = 64;

inline double* Row(const Envelope& e, int64_t row) { return e.values + e.origins[row]; }

CONFLUX_INLINE double Dot(const double* a, const double* b, int64_t from, int64_t to) {
  Double4 s0 = Broadcast4(0);
  Double4 s1 = Broadcast4(0);
  int64_t k = from;
  for (; k + 8 <= to; k += 8) {
    s0 += Load4(a + k) * Load4(b + k);
    s1 += Load4(a + k + 4) * Load4(b + k + 4);
  }
  for (; k + 4 <= to; k += 4) s0 += Load4(a + k) * Load4(b + k);
  double sum = Sum4(s0 + s1);
  for (; k < to; k++) sum += a[k] * b[k];
  return sum;
}

// Four dot products of rows a0..a3 with rows b0 and b1 over [from, to), into sums[8] (a-major).
CONFLUX_INLINE void Dot4x2(const double* a0, const double* a1, const double* a2, const double* a3,
                           const double* b0, const double* b1, int64_t from, int64_t to, double* sums) {
  Double4 s00 = Broadcast4(0), s01 = Broadcast4(0), s10 = Broadcast4(0), s11 = Broadcast4(0);
  Double4 s20 = Broadcast4(0), s21 = Broadcast4(0), s30 = Broadcast4(0), s31 = Broadcast4(0);
  int64_t k = from;
  for (; k + 4 <= to; k += 4) {
    Double4 x0 = Load4(b0 + k);
    Double4 x1 = Load4(b1 + k);
    Double4 y = Load4(a0 + k);
    s00 += y * x0;
    s01 += y * x1;
    y = Load4(a1 + k);
    s10 += y * x0;
    s11 += y * x1;
    y = Load4(a2 + k);
    s20 += y * x0;
    s21 += y * x1;
    y = Load4(a3 + k);
    s30 += y * x0;
    s31 += y * x1;
  }
  double t00 = Sum4(s00), t01 = Sum4(s01), t10 = Sum4(s10), t11 = Sum4(s11);
  double t20 = Sum4(s20), t21 = Sum4(s21), t30 = Sum4(s30), t31 = Sum4(s31);
  for (; k < to; k++) {
    t00 += a0[k] * b0[k];
    t01 += a0[k] * b1[k];
    t10 += a1[k] * b0[k];
    t11 += a1[k] * b1[k];
    t20 += a2[k] * b0[k];
    t21 += a2[k] * b1[k];
    t30 += a3[k] * b0[k];
    t31 += a3[k] * b1[k];
  }
  sums[0] = t00;
  sums[1] = t01;
  sums[2] = t10;
  sums[3] = t11;
  sums[4] = t20;
  sums[5] = t21;
  sums[6] = t30;
  sums[7] = t31;
}

// Entries of row `row` in columns [from, to) (to ≤ row): the rows of those columns are final over [k0, column).
CONFLUX_INLINE void SolveRowSegment(const Envelope& e, int64_t row, int64_t k0, int64_t from, int64_t to) {
  double* r = Row(e, row);
  int64_t begin = std::max(k0, static_cast<int64_t>(e.starts[row]));
  for (int64_t j = std::max(from, begin); j < to; j++) {
    const double* p = Row(e, j);
    double sum = r[j] - Dot(r, p, begin, j);
    r[j] = sum / p[j];
  }
}

struct BlockWork {
  const Envelope* envelope;
  int64_t k0;
  int64_t k1;
  // Rows [first, size) in parts of about equal work.
  int64_t first;
};

// Rows of part `part` of [first, size): split so that each part has about the
// same number of updated entries (a row's work grows with its length).
void PartRows(const BlockWork& work, int part, int parts, int64_t* begin, int64_t* end) {
  int64_t first = work.first;
  int64_t size = work.envelope->size;
  // A row's update has (row − first) entries or so: rows [first, r) hold about
  // (r − first)²/2 of the work, so the boundaries go as the square root.
  auto boundary = [&](int p) -> int64_t {
    if (p == 0) return first;
    if (p == parts) return size;
    double offset = static_cast<double>(size - first) * sqrt(static_cast<double>(p) / parts);
    // Whole blocks of four rows, so that a part never splits the update kernel's rows.
    int64_t row = first + (static_cast<int64_t>(offset) / 4) * 4;
    return std::min(std::max(row, first), size);
  };
  *begin = boundary(part);
  *end = boundary(part + 1);
}

CONFLUX_KERNEL void PanelPart(int part, int parts, void* context) {
  const BlockWork& work = *static_cast<BlockWork*>(context);
  const Envelope& e = *work.envelope;
  int64_t begin, end;
  PartRows(work, part, parts, &begin, &end);
  for (int64_t row = begin; row < end; row++) {
    if (e.starts[row] >= work.k1) continue;
    SolveRowSegment(e, row, work.k0, work.k0, work.k1);
  }
}

// The update in tiles: a tile of 64 rows against 64 columns at a time, so
// that the columns' segments of the panel (32 kB) stay in cache while every
// four-row block of the tile passes over them, instead of streaming the whole
// panel once per four rows.
constexpr int64_t kTile = 64;

CONFLUX_INLINE void UpdateFourRows(const Envelope& e, int64_t block, int64_t kb, int64_t jFrom, int64_t jTo,
                                   double* sums) {
  double* r0 = Row(e, block);
  double* r1 = Row(e, block + 1);
  double* r2 = Row(e, block + 2);
  double* r3 = Row(e, block + 3);
  int64_t j = jFrom;
  for (; j + 1 < jTo; j += 2) {
    Dot4x2(r0, r1, r2, r3, Row(e, j), Row(e, j + 1), kb, e.k1, sums);
    r0[j] -= sums[0];
    r0[j + 1] -= sums[1];
    r1[j] -= sums[2];
    r1[j + 1] -= sums[3];
    r2[j] -= sums[4];
    r2[j + 1] -= sums[5];
    r3[j] -= sums[6];
    r3[j + 1] -= sums[7];
  }
  if (j < jTo) {
    // One column left: the kernel on it twice, the second answer dropped.
    Dot4x2(r0, r1, r2, r3, Row(e, j), Row(e, j), kb, e.k1, sums);
    r0[j] -= sums[0];
    r1[j] -= sums[2];
    r2[j] -= sums[4];
    r3[j] -= sums[6];
  }
}

CONFLUX_KERNEL void UpdatePart(int part, int parts, void* context) {
  const BlockWork& work = *static_cast<BlockWork*>(context);
  Envelope e = *work.envelope;
  e.k1 = work.k1;
  int64_t k0 = work.k0;
  int64_t k1 = work.k1;
  int64_t begin, end;
  PartRows(work, part, parts, &begin, &end);
  double sums[8];
  for (int64_t tile = begin; tile < end; tile += kTile) {
    int64_t tileEnd = std::min(tile + kTile, end);
    // Full four-row blocks, column tile by column tile, left of each block.
    int64_t firstColumn = tileEnd;
    for (int64_t block = tile; block + 4 <= tileEnd; block += 4) {
      int64_t start = e.starts[block];
      if (start < k1) firstColumn = std::min(firstColumn, std::max(k1, start));
    }
    for (int64_t j0 = firstColumn - (firstColumn - k1) % kTile; j0 < tileEnd; j0 += kTile) {
      for (int64_t block = tile; block + 4 <= tileEnd; block += 4) {
        int64_t start = e.starts[block];
        if (start >= k1) continue;
        int64_t jFrom = std::max(j0, std::max(k1, start));
        int64_t jTo = std::min(j0 + kTile, block);
        if (jFrom < jTo) UpdateFourRows(e, block, std::max(k0, start), jFrom, jTo, sums);
      }
    }
    // What is left: the blocks' own triangles, and the rows of a short last block.
    for (int64_t block = tile; block < tileEnd; block += 4) {
      int64_t start = e.starts[block];
      if (start >= k1) continue;
      int64_t kb = std::max(k0, start);
      bool full = block + 4 <= tileEnd;
      for (int64_t row = block; row < std::min(block + 4, tileEnd); row++) {
        double* r = Row(e, row);
        int64_t from = full ? block : std::max(k1, start);
        for (int64_t column = from; column <= row; column++) r[column] -= Dot(r, Row(e, column), kb, k1);
      }
    }
  }
}

}  // namespace

// The blocks' own rows, one after another (the part between the pool's runs).
CONFLUX_KERNEL int64_t FactorDiagonalBlock(const Envelope& e, int64_t k0, int64_t k1, double* pivot) {
  for (int64_t row = k0; row < k1; row++) {
    SolveRowSegment(e, row, k0, k0, row);
    double* r = Row(e, row);
    int64_t begin = std::max(k0, static_cast<int64_t>(e.starts[row]));
    double sum = r[row] - Dot(r, r, begin, row);
    if (!(sum > 0)) {
      *pivot = sum;
      return row;
    }
    r[row] = sqrt(sum);
  }
  return -1;
}

int64_t FactorEnvelope(const Envelope& e, int parts, double* pivot) {
  int64_t n = e.size;
  for (int64_t k0 = 0; k0 < n; k0 += kBlock) {
    int64_t k1 = std::min(k0 + kBlock, n);
    // The block's own rows: columns [k0, row] (earlier columns are final).
    int64_t failed = FactorDiagonalBlock(e, k0, k1, pivot);
    if (failed >= 0) return failed;
    if (k1 >= n) break;
    BlockWork work{&e, k0, k1, k1};
    // Few rows below: not worth waking the pool.
    int useParts = (n - k1) * (k1 - k0) < 65536 ? 1 : parts;
    RunParts(useParts, PanelPart, &work);
    RunParts(useParts, UpdatePart, &work);
  }
  return -1;
}

CONFLUX_KERNEL void SolveEnvelope(const Envelope& e, const double* b, double* x) {
  int64_t n = e.size;
  for (int64_t row = 0; row < n; row++) {
    const double* r = Row(e, row);
    double sum = b[row] - Dot(r, x, e.starts[row], row);
    x[row] = sum / r[row];
  }
  for (int64_t row = n - 1; row >= 0; row--) {
    const double* r = Row(e, row);
    double value = x[row] / r[row];
    x[row] = value;
    for (int64_t k = e.starts[row]; k < row; k++) x[k] -= r[k] * value;
  }
}

}  // namespace conflux
