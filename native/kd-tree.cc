// The k-d tree's build and nearest queries, step for step the TypeScript of
// mapping/spatial/kd-tree.ts (the reference): the same splits, the same
// visiting order, the same distances in the same order of operations. This
// file is built for the baseline instruction set, where there are no fused
// multiply-adds, so every distance rounds as JavaScript's does: the trees
// are the same arrays and the answers the same points, ties included.
#include "kd-tree.h"

#include <algorithm>
#include <limits>

namespace conflux {

namespace {

constexpr int kStackCapacity = 128;

inline void Swap(const KdTreeArrays& t, int64_t a, int64_t b) {
  std::swap(t.ids[a], t.ids[b]);
  double* c = t.coordinates;
  std::swap(c[3 * a], c[3 * b]);
  std::swap(c[3 * a + 1], c[3 * b + 1]);
  std::swap(c[3 * a + 2], c[3 * b + 2]);
}

// Quickselect with Hoare partition and a median-of-three pivot, as KdTree.select.
void Select(const KdTreeArrays& t, int64_t k, int64_t left, int64_t right, int axis) {
  const double* c = t.coordinates;
  while (right > left) {
    int64_t middle = (left + right) >> 1;
    double a = c[3 * left + axis];
    double b = c[3 * middle + axis];
    double d = c[3 * right + axis];
    double pivot = std::max(std::min(a, b), std::min(std::max(a, b), d));
    int64_t i = left;
    int64_t j = right;
    while (i <= j) {
      while (c[3 * i + axis] < pivot) i++;
      while (c[3 * j + axis] > pivot) j--;
      if (i <= j) {
        Swap(t, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return;
  }
}

}  // namespace

void BuildKdTree(const KdTreeArrays& t, int64_t lo, int64_t hi, int levels, int32_t* pending, int64_t* pendingCount) {
  if (levels <= 0 && pending != nullptr) {
    pending[2 * *pendingCount] = static_cast<int32_t>(lo);
    pending[2 * *pendingCount + 1] = static_cast<int32_t>(hi);
    ++*pendingCount;
    return;
  }
  if (hi - lo <= t.bucketSize) {
    if (pending != nullptr) {
      for (int64_t n = int64_t{1} << levels; n > 0; n--) {
        pending[2 * *pendingCount] = static_cast<int32_t>(lo);
        pending[2 * *pendingCount + 1] = static_cast<int32_t>(lo);
        ++*pendingCount;
      }
    }
    return;
  }
  const double* c = t.coordinates;
  int64_t step = hi - lo > 64 ? (hi - lo) / 32 : 1;
  double inf = std::numeric_limits<double>::infinity();
  double minX = inf, minY = inf, minZ = inf, maxX = -inf, maxY = -inf, maxZ = -inf;
  for (int64_t position = lo; position < hi; position += step) {
    double x = c[3 * position], y = c[3 * position + 1], z = c[3 * position + 2];
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
    if (z < minZ) minZ = z;
    if (z > maxZ) maxZ = z;
  }
  double spreadX = maxX - minX, spreadY = maxY - minY, spreadZ = maxZ - minZ;
  int axis = spreadX >= spreadY && spreadX >= spreadZ ? 0 : spreadY >= spreadZ ? 1 : 2;
  int64_t median = (lo + hi) >> 1;
  Select(t, median, lo, hi - 1, axis);
  t.splitAxes[median] = static_cast<uint8_t>(axis);
  int next = levels == std::numeric_limits<int>::max() ? levels : levels - 1;
  BuildKdTree(t, lo, median, next, pending, pendingCount);
  BuildKdTree(t, median + 1, hi, next, pending, pendingCount);
}

void NearestQueries(const KdTreeArrays& t, const QueryPoints& q, const int32_t* order, int32_t* partners,
                    int64_t firstChunk, int64_t endChunk, int64_t chunk) {
  const double* c = t.coordinates;
  const uint8_t* axes = t.splitAxes;
  int64_t bucket = t.bucketSize;
  int64_t stackLo[kStackCapacity];
  int64_t stackHi[kStackCapacity];
  double stackBound[kStackCapacity];
  for (int64_t ch = firstChunk; ch < endChunk; ch++) {
    int64_t hint = -1;
    int64_t end = std::min(q.count, (ch + 1) * chunk);
    for (int64_t stepIndex = ch * chunk; stepIndex < end; stepIndex++) {
      int64_t point = order[stepIndex];
      const double* base = q.coordinates + point * q.pointStride;
      double x = base[0];
      double y = q.dimension > 1 ? base[q.axisStride] : 0;
      double z = q.dimension > 2 ? base[2 * q.axisStride] : 0;
      double best = std::numeric_limits<double>::infinity();
      int64_t bestPosition = -1;
      if (hint >= 0 && hint < t.count) {
        double dx = x - c[3 * hint], dy = y - c[3 * hint + 1], dz = z - c[3 * hint + 2];
        double product = (dx * dx + dy * dy + dz * dz) * (1 + 1e-12);
        best = product + std::numeric_limits<double>::denorm_min();
      }
      stackLo[0] = 0;
      stackHi[0] = t.count;
      stackBound[0] = 0;
      int top = 1;
      while (top > 0) {
        top--;
        if (stackBound[top] >= best) continue;
        int64_t lo = stackLo[top];
        int64_t hi = stackHi[top];
        while (hi - lo > bucket) {
          int64_t median = (lo + hi) >> 1;
          double dx = x - c[3 * median], dy = y - c[3 * median + 1], dz = z - c[3 * median + 2];
          double distance = dx * dx + dy * dy + dz * dz;
          if (distance < best) {
            best = distance;
            bestPosition = median;
          }
          int axis = axes[median];
          double offPlane = axis == 0 ? dx : axis == 1 ? dy : dz;
          double bound = offPlane * offPlane;
          if (offPlane < 0) {
            if (bound < best) {
              stackLo[top] = median + 1;
              stackHi[top] = hi;
              stackBound[top] = bound;
              top++;
            }
            hi = median;
          } else {
            if (bound < best) {
              stackLo[top] = lo;
              stackHi[top] = median;
              stackBound[top] = bound;
              top++;
            }
            lo = median + 1;
          }
        }
        for (int64_t position = lo; position < hi; position++) {
          double dx = x - c[3 * position], dy = y - c[3 * position + 1], dz = z - c[3 * position + 2];
          double distance = dx * dx + dy * dy + dz * dz;
          if (distance < best) {
            best = distance;
            bestPosition = position;
          }
        }
      }
      hint = bestPosition;
      partners[point] = bestPosition < 0 ? -1 : t.ids[bestPosition];
    }
  }
}

int64_t WithinRadius(const KdTreeArrays& t, double x, double y, double z, double radius, int32_t* indices,
                     double* distances, int64_t capacity) {
  double limit = radius * radius;
  const double* c = t.coordinates;
  const uint8_t* axes = t.splitAxes;
  int64_t stackLo[kStackCapacity];
  int64_t stackHi[kStackCapacity];
  int64_t found = 0;
  auto push = [&](int64_t position, double distance) {
    if (found < capacity) {
      indices[found] = t.ids[position];
      distances[found] = distance;
    }
    found++;
  };
  stackLo[0] = 0;
  stackHi[0] = t.count;
  int top = 1;
  while (top > 0) {
    top--;
    int64_t lo = stackLo[top];
    int64_t hi = stackHi[top];
    while (hi - lo > t.bucketSize) {
      int64_t median = (lo + hi) >> 1;
      double dx = x - c[3 * median], dy = y - c[3 * median + 1], dz = z - c[3 * median + 2];
      double distance = dx * dx + dy * dy + dz * dz;
      if (distance <= limit) push(median, distance);
      int axis = axes[median];
      double offPlane = axis == 0 ? dx : axis == 1 ? dy : dz;
      if (offPlane * offPlane <= limit) {
        stackLo[top] = median + 1;
        stackHi[top] = hi;
        top++;
        hi = median;
      } else if (offPlane < 0) {
        hi = median;
      } else {
        lo = median + 1;
      }
    }
    for (int64_t position = lo; position < hi; position++) {
      double dx = x - c[3 * position], dy = y - c[3 * position + 1], dz = z - c[3 * position + 2];
      double distance = dx * dx + dy * dy + dz * dz;
      if (distance <= limit) push(position, distance);
    }
  }
  return found;
}

}  // namespace conflux
