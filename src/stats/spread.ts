// A figure measured several times: its median and the range of the repetitions, as every benchmark reports one.
export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function spread(values: readonly number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), n: values.length };
}

/** The index of the repetition whose value is the median (the lower middle one of an even count). */
export function medianIndex(values: readonly number[]): number {
  const order = values.map((_, index) => index).sort((a, b) => (values[a] as number) - (values[b] as number));
  return order[Math.floor((order.length - 1) / 2)] as number;
}
