// Whether a field holds only finite values: the driver carries no NaN or
// ±Infinity from one component to another unless told to (coupling.check_finite),
// because one non-finite value spreads through every operator and every later
// step, and the run would end "completed" with nothing but NaN in it.

/**
 * The index of the first value of `values` that is NaN or ±Infinity, or -1 when every one is finite.
 * x − x is 0 for every finite x and NaN for NaN and ±Infinity, and a sum of such terms stays 0 or becomes
 * NaN; so the common case is one pass of loads, subtractions and additions in four independent chains, with no
 * branch per value, and only a field that holds a non-finite value is scanned again for its index. It
 * allocates nothing, so it can run on every transfer.
 */
export function checkFinite(values: Float64Array): number {
  const count = values.length;
  const whole = count - (count & 7);
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let index = 0;
  for (; index < whole; index += 8) {
    const v0 = values[index] as number;
    const v1 = values[index + 1] as number;
    const v2 = values[index + 2] as number;
    const v3 = values[index + 3] as number;
    const v4 = values[index + 4] as number;
    const v5 = values[index + 5] as number;
    const v6 = values[index + 6] as number;
    const v7 = values[index + 7] as number;
    a += v0 - v0 + (v4 - v4);
    b += v1 - v1 + (v5 - v5);
    c += v2 - v2 + (v6 - v6);
    d += v3 - v3 + (v7 - v7);
  }
  for (; index < count; index++) {
    const value = values[index] as number;
    a += value - value;
  }
  if (a + b + c + d === 0) return -1;
  for (let at = 0; at < count; at++) {
    const value = values[at] as number;
    if (value - value !== 0) return at;
  }
  return -1;
}

/** "NaN", "Infinity" or "-Infinity": how a non-finite value reads in an error. */
export function describeNonFinite(value: number): string {
  return Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
}
