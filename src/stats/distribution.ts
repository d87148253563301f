// stats/ owns summaries of measurements: distributions of samples and plain-text tables.
// It must not measure anything nor know what it summarises: coupling, repro and bench hand it numbers.

// Summaries of timing samples: mean ± sd, p50, p99, max. Samples are recorded
// into a preallocated Float64Array by the measuring loop (no allocation there);
// summarizing sorts a copy afterwards.

export interface Distribution {
  n: number;
  mean: number;
  sd: number;
  p50: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank] as number;
}

export function summarize(samples: Float64Array, count: number = samples.length): Distribution {
  const sorted = Float64Array.from(samples.subarray(0, count)).sort();
  let sum = 0;
  for (let index = 0; index < count; index++) sum += sorted[index] as number;
  const mean = count > 0 ? sum / count : Number.NaN;
  let squares = 0;
  for (let index = 0; index < count; index++) {
    const deviation = (sorted[index] as number) - mean;
    squares += deviation * deviation;
  }
  return {
    n: count,
    mean,
    sd: count > 1 ? Math.sqrt(squares / (count - 1)) : 0,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: count > 0 ? (sorted[count - 1] as number) : Number.NaN,
  };
}

/** Scales every statistic (not n), e.g. nanoseconds to microseconds. */
export function scaled(distribution: Distribution, factor: number): Distribution {
  return {
    n: distribution.n,
    mean: distribution.mean * factor,
    sd: distribution.sd * factor,
    p50: distribution.p50 * factor,
    p99: distribution.p99 * factor,
    max: distribution.max * factor,
  };
}
