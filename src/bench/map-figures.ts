// The figures of `bench map`: every figure is the median of repeated
// measurements with their spread (fastest and slowest), and ratios are taken
// only between figures measured in the same run, interleaved.

export interface Figure {
  /** Median of the repetitions. */
  median: number;
  min: number;
  max: number;
  /** Repetitions. */
  n: number;
}

export function figureOf(samples: readonly number[]): Figure {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 };
  const middle = n >> 1;
  const median =
    n % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted[n - 1] as number, n };
}

export function scaleFigure(figure: Figure, factor: number): Figure {
  return { median: figure.median * factor, min: figure.min * factor, max: figure.max * factor, n: figure.n };
}

/**
 * The exponent b of time ≈ a · size^b, least squares on log time against log
 * size over the sizes measured (1 is linear, 1.x is n log n-ish).
 */
export function growthExponent(sizes: readonly number[], times: readonly number[]): number {
  const n = Math.min(sizes.length, times.length);
  if (n < 2) return Number.NaN;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += Math.log(sizes[i] as number);
    sy += Math.log(times[i] as number);
  }
  const mx = sx / n;
  const my = sy / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    const dx = Math.log(sizes[i] as number) - mx;
    sxy += dx * (Math.log(times[i] as number) - my);
    sxx += dx * dx;
  }
  return sxy / sxx;
}
