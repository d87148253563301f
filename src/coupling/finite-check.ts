// Whether values a component wrote (or the driver computed from them) are all
// finite: a diverging coupling must end with an error naming where the values
// stopped being finite, never with NaN in the results. One small function the
// driver calls wherever values cross it; allocation-free, exception-free.

/** The index of the first value in values[from, to) that is NaN or ±Infinity, or −1 when every one is finite. */
export function checkFinite(values: Float64Array, from = 0, to = values.length): number {
  for (let index = from; index < to; index++) {
    const value = values[index] as number;
    // value − value is NaN exactly for NaN and ±Infinity; cheaper than Number.isFinite in a tight loop.
    if (value - value !== 0) return index;
  }
  return -1;
}

/** "NaN", "Infinity" or "-Infinity": how a non-finite value reads in an error. */
export function describeNonFinite(value: number): string {
  return Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
}
