// An order of a point set along a Morton (Z-order) curve: consecutive points
// in it are close in space. Setup loops visit target points in this order so
// that successive k-d tree queries touch the same cache lines and each one can
// start from its predecessor's answer. Linear time: 30-bit codes, radix sort.
import { int32Array } from "../array-memory.ts";
import type { PointSet } from "./point-set.ts";

const BITS_PER_AXIS = [30, 15, 10] as const;

/** Spreads the low `bits` bits of `value` so that there are `gap` zero bits between them. */
function interleaveBits(value: number, bits: number, gap: number): number {
  let code = 0;
  for (let bit = 0; bit < bits; bit++) code |= ((value >>> bit) & 1) << (bit * (gap + 1));
  return code;
}

/** Indices 0..count-1 of `points` sorted along the Morton curve of their bounding box (in shared memory when `shared`). */
export function mortonOrder(points: PointSet, shared = false): Int32Array {
  const { dimension, count, coordinates, layout } = points;
  const bits = BITS_PER_AXIS[dimension - 1] as number;
  const cells = 2 ** bits;
  const axisStride = layout === "soa" ? count : 1;
  const pointStride = layout === "soa" ? 1 : dimension;
  const lows = [0, 0, 0];
  const scales = [0, 0, 0];
  for (let axis = 0; axis < dimension; axis++) {
    let low = Number.POSITIVE_INFINITY;
    let high = Number.NEGATIVE_INFINITY;
    for (let index = 0; index < count; index++) {
      const value = coordinates[axis * axisStride + index * pointStride] as number;
      if (value < low) low = value;
      if (value > high) high = value;
    }
    lows[axis] = low;
    scales[axis] = high > low ? (cells - 1) / (high - low) : 0;
  }
  // Per-axis lookup of the spread bits of every cell number would cost 2^bits
  // entries; instead spread in two halves of at most 15 bits through small tables.
  const half = Math.ceil(bits / 2);
  const table = new Uint32Array(2 ** half);
  for (let value = 0; value < table.length; value++) table[value] = interleaveBits(value, half, dimension - 1);
  const codes = new Uint32Array(count);
  for (let index = 0; index < count; index++) {
    let code = 0;
    for (let axis = 0; axis < dimension; axis++) {
      const value = coordinates[axis * axisStride + index * pointStride] as number;
      const cell = Math.min(
        cells - 1,
        Math.max(0, Math.floor((value - (lows[axis] as number)) * (scales[axis] as number))),
      );
      const low = table[cell & (table.length - 1)] as number;
      const high = table[cell >>> half] as number;
      code |= (low | (high << (half * dimension))) << axis;
    }
    codes[index] = code >>> 0;
  }
  return radixSortIndices(codes, shared);
}

/** Indices that sort 32-bit unsigned `codes` ascending (stable LSD radix sort, 4 passes of 8 bits). */
function radixSortIndices(codes: Uint32Array, shared: boolean): Int32Array {
  const count = codes.length;
  // Four passes: the result ends in the array it started in.
  let order = int32Array(count, shared);
  let spare: Int32Array = new Int32Array(count);
  for (let index = 0; index < count; index++) order[index] = index;
  const buckets = new Int32Array(256);
  for (let shift = 0; shift < 32; shift += 8) {
    buckets.fill(0);
    for (let index = 0; index < count; index++) {
      const bucket = ((codes[index] as number) >>> shift) & 255;
      buckets[bucket] = (buckets[bucket] as number) + 1;
    }
    let start = 0;
    for (let bucket = 0; bucket < 256; bucket++) {
      const size = buckets[bucket] as number;
      buckets[bucket] = start;
      start += size;
    }
    for (let position = 0; position < count; position++) {
      const index = order[position] as number;
      const bucket = ((codes[index] as number) >>> shift) & 255;
      const target = buckets[bucket] as number;
      spare[target] = index;
      buckets[bucket] = target + 1;
    }
    const swap = order;
    order = spare;
    spare = swap;
  }
  return order;
}
