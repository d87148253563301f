#pragma once
#include <stdint.h>

namespace conflux {

// The arrays of mapping/spatial/kd-tree.ts's static k-d tree.
struct KdTreeArrays {
  double* coordinates;  // x, y, z of the point at each position
  int32_t* ids;         // the point set's index of the point at each position
  uint8_t* splitAxes;   // split axis of the node whose median is at a position
  int64_t count;
  int64_t bucketSize;
};

// Builds [lo, hi) down to the leaves, or `levels` levels deep, appending the
// ranges left below to pending (lo hi pairs; *pendingCount pairs so far).
void BuildKdTree(const KdTreeArrays& tree, int64_t lo, int64_t hi, int levels, int32_t* pending,
                 int64_t* pendingCount);

// Where the query points are: point i's axis a at coordinates[i * pointStride + a * axisStride].
struct QueryPoints {
  const double* coordinates;
  int64_t count;
  int dimension;
  int64_t pointStride;
  int64_t axisStride;
};

// partners[order[step]] = nearest tree index for the steps of chunks
// [firstChunk, endChunk) of `chunk` steps each, each query starting from its
// predecessor's answer within the chunk.
void NearestQueries(const KdTreeArrays& tree, const QueryPoints& queries, const int32_t* order, int32_t* partners,
                    int64_t firstChunk, int64_t endChunk, int64_t chunk);

// Every tree point within `radius` of (x, y, z), in the order the TypeScript
// withinRadius finds them: ids into indices, squared distances into
// distances, at most `capacity` written; returns how many there are (more
// than capacity: the caller grows its lists and asks again).
int64_t WithinRadius(const KdTreeArrays& tree, double x, double y, double z, double radius, int32_t* indices,
                     double* distances, int64_t capacity);

}  // namespace conflux
