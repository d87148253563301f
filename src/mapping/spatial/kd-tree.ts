// mapping/spatial/ owns point sets and their spatial order: the point-set type, the k-d tree, Morton order.
// It must not know kernels, solvers or operators: it stands on mapping-error.ts alone.

// A static k-d tree over a point set, stored as flat typed arrays (no node
// objects): the points are reordered so that every node is a range [lo, hi) of
// positions whose median m holds the splitting point, the left child is
// [lo, m) and the right child [m + 1, hi), and ranges of at most `bucketSize`
// points are leaves scanned linearly. Building is median partitioning
// (quickselect) along the axis of largest spread, O(n log n) expected.
// Coordinates are kept three to a point (missing axes are 0) so that every
// distance is the same branch-free expression in 1-D, 2-D and 3-D.
// Queries reuse a stack and a heap allocated once per tree: a tree answers one
// query at a time and allocates nothing while it does.
// The tree's arrays may live in shared memory: then worker threads build
// disjoint subtrees of one tree at once (splitTop, then buildRanges), and read
// it through their own view (fromArrays), each with its own query scratch.
//
// Building runs in the addon (native/kd-tree.cc: the same splits, so the same
// arrays) unless the TypeScript backend is chosen; this file stays the reference.
import { float64Array, grown, int32Array, totalByteLength, uint8Array } from "../array-memory.ts";
import { nativeKernels, numericBackend } from "../numeric-backend.ts";
import type { PointSet } from "./point-set.ts";

/** Indices and squared distances found by a radius query; grows as needed, reused across queries. */
export class NeighbourList {
  count = 0;
  indices: Int32Array;
  distancesSquared: Float64Array;

  constructor(capacity = 64) {
    this.indices = new Int32Array(capacity);
    this.distancesSquared = new Float64Array(capacity);
  }

  push(index: number, distanceSquared: number): void {
    if (this.count === this.indices.length) this.grow();
    this.indices[this.count] = index;
    this.distancesSquared[this.count] = distanceSquared;
    this.count++;
  }

  /** Room for at least `capacity` neighbours (what was there is kept). */
  reserve(capacity: number): void {
    while (this.indices.length < capacity) this.grow();
  }

  private grow(): void {
    this.indices = grown(this.indices, this.indices.length * 2);
    this.distancesSquared = grown(this.distancesSquared, this.distancesSquared.length * 2);
  }
}

/** Deep enough for 2^40 points: a pending far child per level of the current path. */
const STACK_CAPACITY = 128;

/** What another thread needs to query (or finish building) a tree. */
export interface KdTreeArrays {
  count: number;
  bucketSize: number;
  ids: Int32Array;
  coordinates: Float64Array;
  splitAxes: Uint8Array;
}

export class KdTree {
  readonly count: number;
  readonly bucketSize: number;
  /** ids[position] = index, in the original point set, of the point stored at that position. */
  readonly ids: Int32Array;
  /** x, y, z of the point at each position (tree order). */
  readonly coordinates: Float64Array;
  /** Splitting axis of the node whose median is at that position. */
  private readonly splitAxes: Uint8Array;
  private readonly stackLo = new Int32Array(STACK_CAPACITY);
  private readonly stackHi = new Int32Array(STACK_CAPACITY);
  private readonly stackBound = new Float64Array(STACK_CAPACITY);
  /** Max-heap of the k best candidates of a k-nearest query. */
  private heapPositions = new Int32Array(16);
  private heapDistances = new Float64Array(16);
  /** Squared distance to the point returned by the last `nearest` call. */
  lastDistanceSquared = Number.POSITIVE_INFINITY;
  /** Tree position of the point returned by the last `nearest` call: a good hint for a nearby query. */
  lastPosition = -1;

  /** The whole tree, built by this thread (its arrays in shared memory when `shared`). */
  static build(points: PointSet, bucketSize = 12, shared = false): KdTree {
    const tree = KdTree.prepare(points, bucketSize, shared);
    tree.buildRanges(Int32Array.of(0, tree.count), 0, 1);
    return tree;
  }

  /**
   * The tree's arrays with the points copied in and nothing split yet (in
   * shared memory when `shared`): splitTop and buildRanges finish it.
   */
  static prepare(points: PointSet, bucketSize: number, shared: boolean): KdTree {
    if (!Number.isInteger(bucketSize) || bucketSize < 1) throw new RangeError("bucketSize must be a whole number ≥ 1");
    const { count, dimension } = points;
    const source = points.coordinates;
    const coordinates = float64Array(3 * count, shared);
    if (points.layout === "interleaved") {
      for (let index = 0; index < count; index++) {
        for (let axis = 0; axis < dimension; axis++) {
          coordinates[3 * index + axis] = source[dimension * index + axis] as number;
        }
      }
    } else {
      for (let axis = 0; axis < dimension; axis++) {
        const start = axis * count;
        for (let index = 0; index < count; index++) coordinates[3 * index + axis] = source[start + index] as number;
      }
    }
    const ids = int32Array(count, shared);
    for (let index = 0; index < count; index++) ids[index] = index;
    return new KdTree({ count, bucketSize, ids, coordinates, splitAxes: uint8Array(count, shared) });
  }

  /** A view of a tree whose arrays another thread made (its own query scratch). */
  static fromArrays(arrays: KdTreeArrays): KdTree {
    return new KdTree(arrays);
  }

  private constructor(arrays: KdTreeArrays) {
    this.count = arrays.count;
    this.bucketSize = arrays.bucketSize;
    this.coordinates = arrays.coordinates;
    this.ids = arrays.ids;
    this.splitAxes = arrays.splitAxes;
  }

  get arrays(): KdTreeArrays {
    const { count, bucketSize, ids, coordinates, splitAxes } = this;
    return { count, bucketSize, ids, coordinates, splitAxes };
  }

  /**
   * Splits the top `levels` levels of a prepared tree; returns the ranges
   * [lo, hi) left to build (2^levels of them, some possibly leaves already),
   * as lo0 hi0 lo1 hi1 …, in tree order.
   */
  splitTop(levels: number): Int32Array {
    if (numericBackend() === "native") {
      const pending = new Int32Array(2 * 2 ** levels);
      const { coordinates, ids, splitAxes, bucketSize, count } = this;
      const written = nativeKernels.kdTreeBuild(coordinates, ids, splitAxes, bucketSize, 0, count, levels, pending);
      return pending.subarray(0, 2 * written);
    }
    const pending: number[] = [];
    this.buildRange(0, this.count, levels, pending);
    return Int32Array.from(pending);
  }

  /** Builds the ranges of splitTop whose index is `part` modulo `parts`. */
  buildRanges(ranges: Int32Array, part: number, parts: number): void {
    const native = numericBackend() === "native";
    for (let index = part; 2 * index < ranges.length; index += parts) {
      const lo = ranges[2 * index] as number;
      const hi = ranges[2 * index + 1] as number;
      if (native)
        nativeKernels.kdTreeBuild(this.coordinates, this.ids, this.splitAxes, this.bucketSize, lo, hi, -1, null);
      else this.buildRange(lo, hi, Number.POSITIVE_INFINITY, undefined);
    }
  }

  /** Bytes held by the tree's arrays. */
  get byteLength(): number {
    return totalByteLength(this.ids, this.coordinates, this.splitAxes);
  }

  /** Builds [lo, hi) down to the leaves, or `levels` levels deep, leaving the ranges below in `pending`. */
  private buildRange(lo: number, hi: number, levels: number, pending: number[] | undefined): void {
    if (levels <= 0 && pending !== undefined) {
      pending.push(lo, hi);
      return;
    }
    if (hi - lo <= this.bucketSize) {
      // A leaf above the split depth still stands for its subtrees' ranges, so that parts stay aligned.
      if (pending !== undefined) for (let count = 2 ** levels; count > 0; count--) pending.push(lo, lo);
      return;
    }
    const c = this.coordinates;
    // The split axis only steers efficiency, never correctness: on large ranges
    // a strided sample of the points estimates the spread well enough.
    const step = hi - lo > 64 ? Math.floor((hi - lo) / 32) : 1;
    let minX = Number.POSITIVE_INFINITY;
    let minY = minX;
    let minZ = minX;
    let maxX = Number.NEGATIVE_INFINITY;
    let maxY = maxX;
    let maxZ = maxX;
    for (let position = lo; position < hi; position += step) {
      const x = c[3 * position] as number;
      const y = c[3 * position + 1] as number;
      const z = c[3 * position + 2] as number;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
      if (z < minZ) minZ = z;
      if (z > maxZ) maxZ = z;
    }
    const spreadX = maxX - minX;
    const spreadY = maxY - minY;
    const spreadZ = maxZ - minZ;
    const axis = spreadX >= spreadY && spreadX >= spreadZ ? 0 : spreadY >= spreadZ ? 1 : 2;
    const median = (lo + hi) >> 1;
    this.select(median, lo, hi - 1, axis);
    this.splitAxes[median] = axis;
    this.buildRange(lo, median, levels - 1, pending);
    this.buildRange(median + 1, hi, levels - 1, pending);
  }

  /**
   * Quickselect (Hoare partition, median-of-three pivot): afterwards position k
   * holds the k-th smallest coordinate along `axis` in [left, right], with
   * nothing larger before it and nothing smaller after it. Equal keys (grids,
   * duplicate points) split evenly, so they cost no extra passes.
   */
  private select(k: number, left: number, right: number, axis: number): void {
    const c = this.coordinates;
    while (right > left) {
      const middle = (left + right) >> 1;
      const a = c[3 * left + axis] as number;
      const b = c[3 * middle + axis] as number;
      const d = c[3 * right + axis] as number;
      const pivot = Math.max(Math.min(a, b), Math.min(Math.max(a, b), d));
      let i = left;
      let j = right;
      while (i <= j) {
        while ((c[3 * i + axis] as number) < pivot) i++;
        while ((c[3 * j + axis] as number) > pivot) j--;
        if (i <= j) {
          this.swap(i, j);
          i++;
          j--;
        }
      }
      if (k <= j) right = j;
      else if (k >= i) left = i;
      else return;
    }
  }

  private swap(a: number, b: number): void {
    const ids = this.ids;
    const id = ids[a] as number;
    ids[a] = ids[b] as number;
    ids[b] = id;
    const c = this.coordinates;
    const pa = 3 * a;
    const pb = 3 * b;
    const x = c[pa] as number;
    const y = c[pa + 1] as number;
    const z = c[pa + 2] as number;
    c[pa] = c[pb] as number;
    c[pa + 1] = c[pb + 1] as number;
    c[pa + 2] = c[pb + 2] as number;
    c[pb] = x;
    c[pb + 1] = y;
    c[pb + 2] = z;
  }

  /**
   * Index of the point nearest to (x, y, z); its squared distance is left in
   * `lastDistanceSquared`. `hintPosition` (a tree position, such as
   * `lastPosition` after a query close by) starts the search with a small
   * bound, which prunes most of the tree when queries come in spatial order.
   */
  nearest(x: number, y = 0, z = 0, hintPosition = -1): number {
    const c = this.coordinates;
    const axes = this.splitAxes;
    const stackLo = this.stackLo;
    const stackHi = this.stackHi;
    const stackBound = this.stackBound;
    const bucket = this.bucketSize;
    let best = Number.POSITIVE_INFINITY;
    let bestPosition = -1;
    if (hintPosition >= 0 && hintPosition < this.count) {
      // Slightly above, so that the search still finds the hint or an equally near point.
      best = squaredDistanceTo(c, hintPosition, x, y, z) * (1 + 1e-12) + Number.MIN_VALUE;
    }
    let top = pushRange(stackLo, stackHi, stackBound, 0, 0, this.count, 0);
    while (top > 0) {
      top--;
      if ((stackBound[top] as number) >= best) continue;
      let lo = stackLo[top] as number;
      let hi = stackHi[top] as number;
      while (hi - lo > bucket) {
        const median = (lo + hi) >> 1;
        const distance = squaredDistanceTo(c, median, x, y, z);
        if (distance < best) {
          best = distance;
          bestPosition = median;
        }
        const offPlane = offSplitPlane(c, axes, median, x, y, z);
        const bound = offPlane * offPlane;
        if (bound < best) top = pushFarChild(stackLo, stackHi, stackBound, top, lo, median, hi, offPlane, bound);
        if (offPlane < 0) hi = median;
        else lo = median + 1;
      }
      for (let position = lo; position < hi; position++) {
        const distance = squaredDistanceTo(c, position, x, y, z);
        if (distance < best) {
          best = distance;
          bestPosition = position;
        }
      }
    }
    this.lastDistanceSquared = best;
    this.lastPosition = bestPosition;
    return bestPosition < 0 ? -1 : (this.ids[bestPosition] as number);
  }

  /**
   * The min(k, count) points nearest to (x, y, z), nearest first, written to
   * `indices` and `distancesSquared` (each at least k long). Returns how many.
   */
  kNearest(x: number, y: number, z: number, k: number, indices: Int32Array, distancesSquared: Float64Array): number {
    const wanted = Math.min(k, this.count);
    if (wanted <= 0) return 0;
    if (this.heapPositions.length < wanted) {
      this.heapPositions = new Int32Array(wanted);
      this.heapDistances = new Float64Array(wanted);
    }
    const heapPositions = this.heapPositions;
    const heapDistances = this.heapDistances;
    const c = this.coordinates;
    const axes = this.splitAxes;
    const stackLo = this.stackLo;
    const stackHi = this.stackHi;
    const stackBound = this.stackBound;
    const bucket = this.bucketSize;
    let size = 0;
    // Until the heap is full every point is a candidate.
    let worst = Number.POSITIVE_INFINITY;
    let top = pushRange(stackLo, stackHi, stackBound, 0, 0, this.count, 0);
    while (top > 0) {
      top--;
      if ((stackBound[top] as number) > worst) continue;
      let lo = stackLo[top] as number;
      let hi = stackHi[top] as number;
      for (;;) {
        const leaf = hi - lo <= bucket;
        const median = (lo + hi) >> 1;
        const first = leaf ? lo : median;
        const last = leaf ? hi : median + 1;
        for (let position = first; position < last; position++) {
          const distance = squaredDistanceTo(c, position, x, y, z);
          if (size < wanted) {
            // Sift up into the max-heap.
            let child = size++;
            while (child > 0) {
              const parent = (child - 1) >> 1;
              if ((heapDistances[parent] as number) >= distance) break;
              heapDistances[child] = heapDistances[parent] as number;
              heapPositions[child] = heapPositions[parent] as number;
              child = parent;
            }
            heapDistances[child] = distance;
            heapPositions[child] = position;
            if (size === wanted) worst = heapDistances[0] as number;
          } else if (distance < worst) {
            siftDownReplace(heapDistances, heapPositions, size, distance, position);
            worst = heapDistances[0] as number;
          }
        }
        if (leaf) break;
        const offPlane = offSplitPlane(c, axes, median, x, y, z);
        const bound = offPlane * offPlane;
        if (bound <= worst) top = pushFarChild(stackLo, stackHi, stackBound, top, lo, median, hi, offPlane, bound);
        if (offPlane < 0) hi = median;
        else lo = median + 1;
        if (lo >= hi) break;
      }
    }
    // Heap-sort the candidates out, nearest first.
    for (let end = size - 1; end >= 0; end--) {
      indices[end] = this.ids[heapPositions[0] as number] as number;
      distancesSquared[end] = heapDistances[0] as number;
      const lastDistance = heapDistances[end] as number;
      const lastPosition = heapPositions[end] as number;
      siftDownReplace(heapDistances, heapPositions, end, lastDistance, lastPosition);
    }
    return size;
  }

  /** withinRadius around the point at `index` of `xyz` (x, y, z a point). */
  withinRadiusOf(xyz: Float64Array, index: number, radius: number, result: NeighbourList): number {
    const at = 3 * index;
    return this.withinRadius(xyz[at] as number, xyz[at + 1] as number, xyz[at + 2] as number, radius, result);
  }

  /** The addon's radius query into `result`'s arrays; returns how many it found, which may be more than they hold. */
  private nativeWithinRadius(x: number, y: number, z: number, radius: number, result: NeighbourList): number {
    return nativeKernels.kdTreeWithinRadius(
      this.coordinates,
      this.ids,
      this.splitAxes,
      this.bucketSize,
      x,
      y,
      z,
      radius,
      result.indices,
      result.distancesSquared,
    );
  }

  /** Every point within `radius` of (x, y, z) (distance ≤ radius), in no particular order. Returns how many. */
  withinRadius(x: number, y: number, z: number, radius: number, result: NeighbourList): number {
    if (numericBackend() === "native") {
      let found = this.nativeWithinRadius(x, y, z, radius, result);
      // The list was too short: it grows to what was found, and the query runs again.
      if (found > result.indices.length) {
        result.reserve(found);
        found = this.nativeWithinRadius(x, y, z, radius, result);
      }
      result.count = found;
      return found;
    }
    result.count = 0;
    const limit = radius * radius;
    const c = this.coordinates;
    const axes = this.splitAxes;
    const ids = this.ids;
    const stackLo = this.stackLo;
    const stackHi = this.stackHi;
    const stackBound = this.stackBound;
    const bucket = this.bucketSize;
    let top = pushRange(stackLo, stackHi, stackBound, 0, 0, this.count, 0);
    while (top > 0) {
      top--;
      let lo = stackLo[top] as number;
      let hi = stackHi[top] as number;
      while (hi - lo > bucket) {
        const median = (lo + hi) >> 1;
        const distance = squaredDistanceTo(c, median, x, y, z);
        if (distance <= limit) result.push(ids[median] as number, distance);
        const offPlane = offSplitPlane(c, axes, median, x, y, z);
        if (offPlane * offPlane <= limit) {
          // Both sides can hold neighbours: visit one now, keep the other.
          top = pushRange(stackLo, stackHi, stackBound, top, median + 1, hi, 0);
          hi = median;
        } else if (offPlane < 0) hi = median;
        else lo = median + 1;
      }
      for (let position = lo; position < hi; position++) {
        // Written out: through squaredDistanceTo this scan measured slower.
        const dx = x - (c[3 * position] as number);
        const dy = y - (c[3 * position + 1] as number);
        const dz = z - (c[3 * position + 2] as number);
        const distance = dx * dx + dy * dy + dz * dz;
        if (distance <= limit) result.push(ids[position] as number, distance);
      }
    }
    return result.count;
  }
}

// The queries' shared steps: plain functions of the tree's typed arrays, which
// V8 inlines, so that a query still allocates nothing and makes no calls.

/** Squared distance from (x, y, z) to the point at `position` (tree order). */
function squaredDistanceTo(c: Float64Array, position: number, x: number, y: number, z: number): number {
  const dx = x - (c[3 * position] as number);
  const dy = y - (c[3 * position + 1] as number);
  const dz = z - (c[3 * position + 2] as number);
  return dx * dx + dy * dy + dz * dz;
}

/**
 * Signed distance from (x, y, z) to the splitting plane of the node whose
 * median is at `median`: negative below it. The same differences as
 * squaredDistanceTo's, so that, inlined beside it, it loads nothing again.
 */
function offSplitPlane(c: Float64Array, axes: Uint8Array, median: number, x: number, y: number, z: number): number {
  const axis = axes[median] as number;
  if (axis === 0) return x - (c[3 * median] as number);
  return axis === 1 ? y - (c[3 * median + 1] as number) : z - (c[3 * median + 2] as number);
}

/** Puts the range [lo, hi), no nearer than `bound` (squared), on the stack at `top`; returns the new top. */
function pushRange(
  stackLo: Int32Array,
  stackHi: Int32Array,
  stackBound: Float64Array,
  top: number,
  lo: number,
  hi: number,
  bound: number,
): number {
  stackLo[top] = lo;
  stackHi[top] = hi;
  stackBound[top] = bound;
  return top + 1;
}

/**
 * Puts the child of the node at `median` of [lo, hi) on the side of its plane
 * away from the query (`offPlane`, from offSplitPlane) on the stack at `top`,
 * no nearer than `bound`; returns the new top.
 */
function pushFarChild(
  stackLo: Int32Array,
  stackHi: Int32Array,
  stackBound: Float64Array,
  top: number,
  lo: number,
  median: number,
  hi: number,
  offPlane: number,
  bound: number,
): number {
  if (offPlane < 0) return pushRange(stackLo, stackHi, stackBound, top, median + 1, hi, bound);
  return pushRange(stackLo, stackHi, stackBound, top, lo, median, bound);
}

/** Replaces the root of a max-heap of `size` entries with (distance, position) and restores the heap. */
function siftDownReplace(
  distances: Float64Array,
  positions: Int32Array,
  size: number,
  distance: number,
  position: number,
): void {
  let parent = 0;
  for (;;) {
    let child = 2 * parent + 1;
    if (child >= size) break;
    if (child + 1 < size && (distances[child + 1] as number) > (distances[child] as number)) child++;
    if ((distances[child] as number) <= distance) break;
    distances[parent] = distances[child] as number;
    positions[parent] = positions[child] as number;
    parent = child;
  }
  distances[parent] = distance;
  positions[parent] = position;
}
