// The numeric kernels of the transfer operators, for JavaScript: an RBF-PU
// patch's weights, the envelope Cholesky factor and solve of global RBF
// systems, and the applies of nearest-neighbour and sparse operators across a
// pool of threads. Mechanism only: which kernel runs when, and everything
// about meshes, patches and operators, is TypeScript's (src/mapping), whose
// own loops are the reference these are tested against. Every array is
// checked for its type and length before any is touched; the contents
// (indices in range) are the operator's, set up once and trusted here.
#include <napi.h>
#include <stdint.h>

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "dense-kernels.h"
#include "envelope-cholesky.h"
#include "kd-tree.h"
#include "kernel-pool.h"
#include "patch-weights.h"
#include "row-assembly.h"
#include "sparse-apply.h"

namespace conflux {

namespace {

// The data pointer as N-API reports it, which also holds for arrays over a SharedArrayBuffer.
template <typename T>
bool Typed(const Napi::CallbackInfo& info, size_t index, napi_typedarray_type type, const char* what, T** data,
           size_t* length) {
  Napi::Value value = info[index];
  napi_typedarray_type actual;
  void* pointer = nullptr;
  if (!value.IsTypedArray() ||
      napi_get_typedarray_info(info.Env(), value, &actual, length, &pointer, nullptr, nullptr) != napi_ok ||
      actual != type) {
    Napi::TypeError::New(info.Env(), std::string("argument ") + std::to_string(index) + " must be " + what)
        .ThrowAsJavaScriptException();
    return false;
  }
  *data = static_cast<T*>(pointer);
  return true;
}

bool Doubles(const Napi::CallbackInfo& info, size_t index, double** data, size_t* length) {
  return Typed(info, index, napi_float64_array, "a Float64Array", data, length);
}

bool Ints(const Napi::CallbackInfo& info, size_t index, int32_t** data, size_t* length) {
  return Typed(info, index, napi_int32_array, "an Int32Array", data, length);
}

int64_t Integer(const Napi::CallbackInfo& info, size_t index) { return info[index].As<Napi::Number>().Int64Value(); }

bool Require(const Napi::CallbackInfo& info, bool condition, const std::string& message) {
  if (!condition) Napi::RangeError::New(info.Env(), message).ThrowAsJavaScriptException();
  return condition;
}

int Parts(const Napi::CallbackInfo& info, size_t index) {
  int64_t parts = Integer(info, index);
  return parts < 1 ? 1 : parts > 64 ? 64 : static_cast<int>(parts);
}

// patchWeights(sources, s, targets, t, kernelKind, radius, frame[dimension, cx, cy, cz, scale], weights, schur, given)
Napi::Value PatchWeightsBinding(const Napi::CallbackInfo& info) {
  double *sources, *targets, *frame, *weights, *schur;
  size_t sourcesLength, targetsLength, frameLength, weightsLength, schurLength;
  if (!Doubles(info, 0, &sources, &sourcesLength) || !Doubles(info, 2, &targets, &targetsLength) ||
      !Doubles(info, 6, &frame, &frameLength) || !Doubles(info, 7, &weights, &weightsLength) ||
      !Doubles(info, 8, &schur, &schurLength)) {
    return info.Env().Undefined();
  }
  int64_t s = Integer(info, 1);
  int64_t t = Integer(info, 3);
  int kind = static_cast<int>(Integer(info, 4));
  double radius = info[5].As<Napi::Number>().DoubleValue();
  bool given = info[9].As<Napi::Boolean>().Value();
  int dimension = frameLength >= 5 ? static_cast<int>(frame[0]) : 0;
  if (!Require(info, s >= 1 && t >= 0 && 3 * static_cast<size_t>(s) <= sourcesLength &&
                         3 * static_cast<size_t>(t) <= targetsLength &&
                         static_cast<size_t>(s * t) <= weightsLength && schurLength >= 16,
               "patchWeights: arrays shorter than the patch") ||
      !Require(info, kind >= 0 && kind <= 4 && radius > 0, "patchWeights: the kernel must be positive definite") ||
      !Require(info, dimension >= 1 && dimension <= 3, "patchWeights: frame[0] must be the dimension, 1 to 3")) {
    return info.Env().Undefined();
  }
  PatchProblem problem{sources, s, targets, t, kind, radius, dimension, frame[1], frame[2], frame[3], frame[4]};
  int64_t failedRow = -1;
  int status = PatchWeights(problem, given ? schur : nullptr, weights, schur, &failedRow);
  return Napi::Number::New(info.Env(), status == kPatchNotPositiveDefinite ? 2 + static_cast<double>(failedRow)
                                                                           : static_cast<double>(status));
}

bool EnvelopeArguments(const Napi::CallbackInfo& info, Envelope* envelope) {
  double* values;
  int32_t *starts, *origins;
  size_t valuesLength, startsLength, originsLength;
  if (!Doubles(info, 0, &values, &valuesLength) || !Ints(info, 1, &starts, &startsLength) ||
      !Ints(info, 2, &origins, &originsLength)) {
    return false;
  }
  int64_t n = static_cast<int64_t>(startsLength);
  if (!Require(info, originsLength == startsLength, "envelope: starts and origins differ in length")) return false;
  // Every row's stored range must lie inside values.
  for (int64_t row = 0; row < n; row++) {
    int64_t first = static_cast<int64_t>(origins[row]) + starts[row];
    int64_t last = static_cast<int64_t>(origins[row]) + row;
    if (!Require(info, starts[row] >= 0 && starts[row] <= row && (row == 0 || starts[row] >= starts[row - 1]) &&
                           first >= 0 && last < static_cast<int64_t>(valuesLength),
                 "envelope: row " + std::to_string(row) + " lies outside the values")) {
      return false;
    }
  }
  *envelope = Envelope{values, starts, origins, n};
  return true;
}

// envelopeFactor(values, starts, origins, threads, pivot[1]) → -1 or the failing row
Napi::Value EnvelopeFactorBinding(const Napi::CallbackInfo& info) {
  Envelope envelope{};
  double* pivot;
  size_t pivotLength;
  if (!EnvelopeArguments(info, &envelope) || !Doubles(info, 4, &pivot, &pivotLength) ||
      !Require(info, pivotLength >= 1, "envelopeFactor: pivot needs one value")) {
    return info.Env().Undefined();
  }
  return Napi::Number::New(info.Env(), static_cast<double>(FactorEnvelope(envelope, Parts(info, 3), pivot)));
}

// envelopeSolve(values, starts, origins, b, x)
Napi::Value EnvelopeSolveBinding(const Napi::CallbackInfo& info) {
  Envelope envelope{};
  double *b, *x;
  size_t bLength, xLength;
  if (!EnvelopeArguments(info, &envelope) || !Doubles(info, 3, &b, &bLength) || !Doubles(info, 4, &x, &xLength) ||
      !Require(info, bLength >= static_cast<size_t>(envelope.size) && xLength >= static_cast<size_t>(envelope.size),
               "envelopeSolve: b and x need one value per row")) {
    return info.Env().Undefined();
  }
  SolveEnvelope(envelope, b, x);
  return info.Env().Undefined();
}

// gather(source, target, partners, threads): target[i] = source[partners[i]]
Napi::Value GatherBinding(const Napi::CallbackInfo& info) {
  double *source, *target;
  int32_t* partners;
  size_t sourceLength, targetLength, partnersLength;
  if (!Doubles(info, 0, &source, &sourceLength) || !Doubles(info, 1, &target, &targetLength) ||
      !Ints(info, 2, &partners, &partnersLength) ||
      !Require(info, partnersLength == targetLength, "gather: one partner per target value")) {
    return info.Env().Undefined();
  }
  ParallelGather(source, target, partners, static_cast<int64_t>(targetLength), Parts(info, 3));
  return info.Env().Undefined();
}

// sparseMultiply(rowPointers, columns, weights, source, target, threads): target = W source
Napi::Value SparseMultiplyBinding(const Napi::CallbackInfo& info) {
  int32_t *rowPointers, *columns;
  double *weights, *source, *target;
  size_t pointersLength, columnsLength, weightsLength, sourceLength, targetLength;
  if (!Ints(info, 0, &rowPointers, &pointersLength) || !Ints(info, 1, &columns, &columnsLength) ||
      !Doubles(info, 2, &weights, &weightsLength) || !Doubles(info, 3, &source, &sourceLength) ||
      !Doubles(info, 4, &target, &targetLength)) {
    return info.Env().Undefined();
  }
  if (!Require(info, pointersLength == targetLength + 1 && columnsLength == weightsLength &&
                         static_cast<size_t>(rowPointers[targetLength]) <= columnsLength,
               "sparseMultiply: rows, columns and weights disagree in length")) {
    return info.Env().Undefined();
  }
  ParallelSparseMultiply(rowPointers, columns, weights, source, target, static_cast<int64_t>(targetLength),
                         Parts(info, 5));
  return info.Env().Undefined();
}

bool TreeArguments(const Napi::CallbackInfo& info, KdTreeArrays* tree) {
  double* coordinates;
  int32_t* ids;
  uint8_t* axes;
  size_t coordinatesLength, idsLength, axesLength;
  if (!Doubles(info, 0, &coordinates, &coordinatesLength) || !Ints(info, 1, &ids, &idsLength) ||
      !Typed(info, 2, napi_uint8_array, "a Uint8Array", &axes, &axesLength)) {
    return false;
  }
  int64_t bucket = Integer(info, 3);
  if (!Require(info, coordinatesLength == 3 * idsLength && axesLength == idsLength && bucket >= 1,
               "k-d tree: coordinates, ids and split axes disagree in length")) {
    return false;
  }
  *tree = KdTreeArrays{coordinates, ids, axes, static_cast<int64_t>(idsLength), bucket};
  return true;
}

// kdTreeBuild(coordinates, ids, splitAxes, bucketSize, lo, hi, levels, pending) → pending pairs written
// (levels < 0: down to the leaves, pending unused)
Napi::Value KdTreeBuildBinding(const Napi::CallbackInfo& info) {
  KdTreeArrays tree{};
  if (!TreeArguments(info, &tree)) return info.Env().Undefined();
  int64_t lo = Integer(info, 4);
  int64_t hi = Integer(info, 5);
  int64_t levels = Integer(info, 6);
  if (!Require(info, lo >= 0 && lo <= hi && hi <= tree.count && levels <= 20, "kdTreeBuild: range outside the tree")) {
    return info.Env().Undefined();
  }
  int32_t* pending = nullptr;
  if (levels >= 0) {
    size_t pendingLength;
    if (!Ints(info, 7, &pending, &pendingLength) ||
        !Require(info, pendingLength >= (size_t{2} << levels), "kdTreeBuild: pending holds fewer than 2^levels ranges")) {
      return info.Env().Undefined();
    }
  }
  int64_t written = 0;
  BuildKdTree(tree, lo, hi, levels < 0 ? std::numeric_limits<int>::max() : static_cast<int>(levels), pending, &written);
  return Napi::Number::New(info.Env(), static_cast<double>(written));
}

// kdTreeNearest(coordinates, ids, splitAxes, bucketSize, queries, dimension, pointStride, axisStride, order, partners,
//               firstChunk, endChunk, chunk)
Napi::Value KdTreeNearestBinding(const Napi::CallbackInfo& info) {
  KdTreeArrays tree{};
  double* queries;
  int32_t *order, *partners;
  size_t queriesLength, orderLength, partnersLength;
  if (!TreeArguments(info, &tree) || !Doubles(info, 4, &queries, &queriesLength) || !Ints(info, 8, &order, &orderLength) ||
      !Ints(info, 9, &partners, &partnersLength)) {
    return info.Env().Undefined();
  }
  int dimension = static_cast<int>(Integer(info, 5));
  int64_t pointStride = Integer(info, 6);
  int64_t axisStride = Integer(info, 7);
  int64_t count = static_cast<int64_t>(orderLength);
  int64_t firstChunk = Integer(info, 10);
  int64_t endChunk = Integer(info, 11);
  int64_t chunk = Integer(info, 12);
  int64_t lastOffset = count == 0 ? 0 : (count - 1) * pointStride + (dimension - 1) * axisStride;
  if (!Require(info, dimension >= 1 && dimension <= 3 && pointStride >= 1 && axisStride >= 1 && chunk >= 1 &&
                         partnersLength == orderLength && tree.count >= 1 &&
                         (count == 0 || static_cast<size_t>(lastOffset) < queriesLength) && firstChunk >= 0 &&
                         endChunk >= firstChunk,
               "kdTreeNearest: query arrays disagree with the counts")) {
    return info.Env().Undefined();
  }
  QueryPoints points{queries, count, dimension, pointStride, axisStride};
  NearestQueries(tree, points, order, partners, firstChunk, endChunk, chunk);
  return info.Env().Undefined();
}

// What a row-assembly handle holds: the arrays' addresses, and references that keep the arrays alive.
struct AssemblyHandle {
  RowAssemblyArrays arrays;
  std::vector<Napi::Reference<Napi::Value>> keep;
};

// rowAssembly(sourceStarts, sources, coverageStarts, coveragePatches, coverageRows, coverageWeights, weightSums,
//             sourceOrder, targetOrder) → a handle for blendRows and rowLengths
Napi::Value RowAssemblyBinding(const Napi::CallbackInfo& info) {
  int32_t *sourceStarts, *sources, *coverageStarts, *coveragePatches, *coverageRows, *sourceOrder, *targetOrder;
  double *coverageWeights, *weightSums;
  size_t n0, n1, n2, n3, n4, n5, n6, n7, n8;
  if (!Ints(info, 0, &sourceStarts, &n0) || !Ints(info, 1, &sources, &n1) || !Ints(info, 2, &coverageStarts, &n2) ||
      !Ints(info, 3, &coveragePatches, &n3) || !Ints(info, 4, &coverageRows, &n4) ||
      !Doubles(info, 5, &coverageWeights, &n5) || !Doubles(info, 6, &weightSums, &n6) ||
      !Ints(info, 7, &sourceOrder, &n7) || !Ints(info, 8, &targetOrder, &n8)) {
    return info.Env().Undefined();
  }
  int64_t patches = static_cast<int64_t>(n0) - 1;
  int64_t targets = static_cast<int64_t>(n8);
  if (!Require(info, patches >= 0 && static_cast<size_t>(sourceStarts[patches]) == n1 && n2 == n8 + 1 &&
                         static_cast<size_t>(coverageStarts[targets]) == n3 && n3 == n4 && n4 == n5 && n6 == n8,
               "rowAssembly: patch and coverage arrays disagree in length")) {
    return info.Env().Undefined();
  }
  auto* handle = new AssemblyHandle{
      RowAssemblyArrays{sourceStarts, sources, coverageStarts, coveragePatches, coverageRows, coverageWeights,
                        weightSums, sourceOrder, targetOrder, patches, static_cast<int64_t>(n7), targets},
      {}};
  for (size_t index = 0; index < 9; index++) handle->keep.push_back(Napi::Persistent(info[index]));
  return Napi::External<AssemblyHandle>::New(info.Env(), handle, [](Napi::Env, AssemblyHandle* done) { delete done; });
}

AssemblyHandle* HandleOf(const Napi::CallbackInfo& info) {
  if (!info[0].IsExternal()) {
    Napi::TypeError::New(info.Env(), "argument 0 must be a handle from rowAssembly").ThrowAsJavaScriptException();
    return nullptr;
  }
  return info[0].As<Napi::External<AssemblyHandle>>().Data();
}

// blendRows(handle, rowPointers, columns, weights, arena, blockOffsets, halo, positions, first, end, slot)
Napi::Value BlendRowsBinding(const Napi::CallbackInfo& info) {
  AssemblyHandle* handle = HandleOf(info);
  int32_t *rowPointers, *columns, *blockOffsets, *positions, *slot;
  double *weights, *arena;
  size_t pointersLength, columnsLength, weightsLength, arenaLength, offsetsLength, positionsLength, slotLength;
  if (handle == nullptr || !Ints(info, 1, &rowPointers, &pointersLength) || !Ints(info, 2, &columns, &columnsLength) ||
      !Doubles(info, 3, &weights, &weightsLength) || !Doubles(info, 4, &arena, &arenaLength) ||
      !Ints(info, 5, &blockOffsets, &offsetsLength) || !Ints(info, 7, &positions, &positionsLength) ||
      !Ints(info, 10, &slot, &slotLength)) {
    return info.Env().Undefined();
  }
  const RowAssemblyArrays& a = handle->arrays;
  int64_t halo = Integer(info, 6);
  int64_t first = Integer(info, 8);
  int64_t end = Integer(info, 9);
  if (!Require(info, pointersLength == static_cast<size_t>(a.targetCount + 1) &&
                         columnsLength == static_cast<size_t>(rowPointers[a.targetCount]) &&
                         weightsLength == columnsLength && slotLength == static_cast<size_t>(a.sourceCount) &&
                         first >= 0 && first <= end && static_cast<size_t>(end) <= positionsLength && halo >= 0,
               "blendRows: arrays disagree with the assembly")) {
    return info.Env().Undefined();
  }
  // Every block a row reads must lie in the arena: checked before any row is written.
  for (int64_t index = first; index < end; index++) {
    int64_t position = positions[index];
    if (!Require(info, position >= 0 && position < a.targetCount, "blendRows: a position outside the mesh")) {
      return info.Env().Undefined();
    }
    for (int64_t entry = a.coverageStarts[position]; entry < a.coverageStarts[position + 1]; entry++) {
      int64_t patch = a.coveragePatches[entry];
      int64_t s = a.sourceStarts[patch + 1] - a.sourceStarts[patch];
      bool inside = patch >= halo && static_cast<size_t>(patch - halo) < offsetsLength &&
                    blockOffsets[patch - halo] >= 0 &&
                    static_cast<size_t>(blockOffsets[patch - halo] + (a.coverageRows[entry] + 1) * s) <= arenaLength;
      if (!Require(info, inside, "blendRows: a patch's block lies outside the arena")) return info.Env().Undefined();
    }
  }
  BlendRows(a, RowsOut{rowPointers, columns, weights}, arena, blockOffsets, halo, positions, first, end, slot);
  return info.Env().Undefined();
}

// rowLengths(handle, begin, end, rowPointers, seen)
Napi::Value RowLengthsBinding(const Napi::CallbackInfo& info) {
  AssemblyHandle* handle = HandleOf(info);
  int32_t *rowPointers, *seen;
  size_t pointersLength, seenLength;
  if (handle == nullptr || !Ints(info, 3, &rowPointers, &pointersLength) || !Ints(info, 4, &seen, &seenLength)) {
    return info.Env().Undefined();
  }
  const RowAssemblyArrays& a = handle->arrays;
  int64_t begin = Integer(info, 1);
  int64_t end = Integer(info, 2);
  if (!Require(info, pointersLength == static_cast<size_t>(a.targetCount + 1) &&
                         seenLength == static_cast<size_t>(a.sourceCount) && begin >= 0 && begin <= end &&
                         end <= a.targetCount,
               "rowLengths: arrays disagree with the assembly")) {
    return info.Env().Undefined();
  }
  RowLengths(a, begin, end, rowPointers, seen);
  return info.Env().Undefined();
}

// kernelMatrix(kind, radius, rowXyz, rowCount, columnXyz, columnCount, packedLower, out, threads)
Napi::Value KernelMatrixBinding(const Napi::CallbackInfo& info) {
  double *rows, *columns, *out;
  size_t rowsLength, columnsLength, outLength;
  if (!Doubles(info, 2, &rows, &rowsLength) || !Doubles(info, 4, &columns, &columnsLength) ||
      !Doubles(info, 7, &out, &outLength)) {
    return info.Env().Undefined();
  }
  int kind = static_cast<int>(Integer(info, 0));
  double radius = info[1].As<Napi::Number>().DoubleValue();
  int64_t rowCount = Integer(info, 3);
  int64_t columnCount = Integer(info, 5);
  bool packed = info[6].As<Napi::Boolean>().Value();
  size_t needed = packed ? static_cast<size_t>(rowCount * (rowCount + 1) / 2) : static_cast<size_t>(rowCount * columnCount);
  if (!Require(info, kind >= 0 && kind <= 5 && radius > 0, "kernelMatrix: unknown kernel or radius not > 0") ||
      !Require(info, rowCount >= 0 && columnCount >= 0 && 3 * static_cast<size_t>(rowCount) <= rowsLength &&
                         3 * static_cast<size_t>(columnCount) <= columnsLength && needed <= outLength &&
                         (!packed || rowCount == columnCount),
               "kernelMatrix: arrays shorter than the matrix")) {
    return info.Env().Undefined();
  }
  KernelMatrix(kind, radius, rows, rowCount, columns, columnCount, packed, out, Parts(info, 8));
  return info.Env().Undefined();
}

// reflectPacked(phi, n, v, tau, w)
Napi::Value ReflectPackedBinding(const Napi::CallbackInfo& info) {
  double *phi, *v, *w;
  size_t phiLength, vLength, wLength;
  if (!Doubles(info, 0, &phi, &phiLength) || !Doubles(info, 2, &v, &vLength) || !Doubles(info, 4, &w, &wLength)) {
    return info.Env().Undefined();
  }
  int64_t n = Integer(info, 1);
  if (!Require(info, n >= 0 && static_cast<size_t>(n * (n + 1) / 2) <= phiLength && static_cast<size_t>(n) <= vLength &&
                         static_cast<size_t>(n) <= wLength,
               "reflectPacked: arrays shorter than the matrix")) {
    return info.Env().Undefined();
  }
  ReflectPacked(phi, n, v, info[3].As<Napi::Number>().DoubleValue(), w);
  return info.Env().Undefined();
}

// kdTreeWithinRadius(coordinates, ids, splitAxes, bucketSize, x, y, z, radius, indices, distances) → how many
Napi::Value KdTreeWithinRadiusBinding(const Napi::CallbackInfo& info) {
  KdTreeArrays tree{};
  int32_t* indices;
  double* distances;
  size_t indicesLength, distancesLength;
  if (!TreeArguments(info, &tree) || !Ints(info, 8, &indices, &indicesLength) ||
      !Doubles(info, 9, &distances, &distancesLength)) {
    return info.Env().Undefined();
  }
  double x = info[4].As<Napi::Number>().DoubleValue();
  double y = info[5].As<Napi::Number>().DoubleValue();
  double z = info[6].As<Napi::Number>().DoubleValue();
  double radius = info[7].As<Napi::Number>().DoubleValue();
  int64_t capacity = static_cast<int64_t>(std::min(indicesLength, distancesLength));
  return Napi::Number::New(info.Env(),
                           static_cast<double>(WithinRadius(tree, x, y, z, radius, indices, distances, capacity)));
}

Napi::Value KernelPoolThreadsBinding(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), KernelPoolThreads());
}

}  // namespace

void InitKernels(Napi::Env env, Napi::Object exports) {
  exports.Set("patchWeights", Napi::Function::New(env, PatchWeightsBinding, "patchWeights"));
  exports.Set("envelopeFactor", Napi::Function::New(env, EnvelopeFactorBinding, "envelopeFactor"));
  exports.Set("envelopeSolve", Napi::Function::New(env, EnvelopeSolveBinding, "envelopeSolve"));
  exports.Set("gather", Napi::Function::New(env, GatherBinding, "gather"));
  exports.Set("sparseMultiply", Napi::Function::New(env, SparseMultiplyBinding, "sparseMultiply"));
  exports.Set("kdTreeBuild", Napi::Function::New(env, KdTreeBuildBinding, "kdTreeBuild"));
  exports.Set("kdTreeNearest", Napi::Function::New(env, KdTreeNearestBinding, "kdTreeNearest"));
  exports.Set("rowAssembly", Napi::Function::New(env, RowAssemblyBinding, "rowAssembly"));
  exports.Set("blendRows", Napi::Function::New(env, BlendRowsBinding, "blendRows"));
  exports.Set("rowLengths", Napi::Function::New(env, RowLengthsBinding, "rowLengths"));
  exports.Set("kernelMatrix", Napi::Function::New(env, KernelMatrixBinding, "kernelMatrix"));
  exports.Set("reflectPacked", Napi::Function::New(env, ReflectPackedBinding, "reflectPacked"));
  exports.Set("kdTreeWithinRadius", Napi::Function::New(env, KdTreeWithinRadiusBinding, "kdTreeWithinRadius"));
  exports.Set("kernelPoolThreads", Napi::Function::New(env, KernelPoolThreadsBinding, "kernelPoolThreads"));
}

}  // namespace conflux
