// Typed arrays in private memory, or in shared memory when worker threads of a
// setup must read or write them (a SharedArrayBuffer is shared with a worker,
// an ArrayBuffer would be copied). Which one is only a question of where the
// bytes live: every loop reads both the same way.

export function float64Array(length: number, shared: boolean): Float64Array {
  return shared ? new Float64Array(new SharedArrayBuffer(8 * length)) : new Float64Array(length);
}

export function int32Array(length: number, shared: boolean): Int32Array {
  return shared ? new Int32Array(new SharedArrayBuffer(4 * length)) : new Int32Array(length);
}

export function uint8Array(length: number, shared: boolean): Uint8Array {
  return shared ? new Uint8Array(new SharedArrayBuffer(length)) : new Uint8Array(length);
}

/** A copy of `array` in shared memory (itself, if it is there already). */
export function sharedCopy<T extends Float64Array | Int32Array>(array: T): T {
  if (array.buffer instanceof SharedArrayBuffer) return array;
  const copy =
    array instanceof Float64Array ? float64Array(array.length, true) : (int32Array(array.length, true) as Int32Array);
  copy.set(array as never);
  return copy as T;
}

/** A new private array of `length` holding the first `kept` values of `array`: where a full list grows into. */
export function grown<T extends Float64Array | Int32Array>(array: T, length: number, kept = array.length): T {
  const copy = array instanceof Float64Array ? new Float64Array(length) : new Int32Array(length);
  copy.set(array.subarray(0, kept));
  return copy as T;
}

/** Bytes held by `parts` together (typed arrays, or structures that say what they hold). */
export function totalByteLength(...parts: readonly { readonly byteLength: number }[]): number {
  let total = 0;
  for (const part of parts) total += part.byteLength;
  return total;
}
