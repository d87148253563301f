// Histograms of timing samples. Bins are spaced logarithmically: timings have long tails (a few samples ten or a
// hundred times the median), and equal widths would crowd every ordinary sample into the first bin.

export interface Histogram {
  /** Bin edges, ascending: bin i holds the samples in [edges[i], edges[i + 1]), the last bin its upper edge too. */
  edges: number[];
  counts: number[];
}

/** The samples' histogram in at most `bins` bins (fewer for few samples: about the square root of their count). */
export function histogram(samples: Float64Array, count: number = samples.length, bins = 40): Histogram {
  if (count === 0) return { edges: [], counts: [] };
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (let index = 0; index < count; index++) {
    const value = samples[index] as number;
    if (value < low) low = value;
    if (value > high) high = value;
  }
  const binCount = Math.max(1, Math.min(bins, Math.ceil(Math.sqrt(count))));
  if (high <= low) return { edges: [low, high], counts: [count] };
  // A zero or negative sample has no logarithm: such samples get equal widths instead. Positions are taken between
  // logarithms, not as a ratio of values, which overflows for samples many decades apart.
  // Samples so close that their logarithms are equal (1e9 and 1e9 - 1e-6) have no span there: equal widths too.
  const logarithmic = low > 0 && Math.log(high) > Math.log(low);
  const scale = (value: number) => (logarithmic ? Math.log(value) : value);
  const from = scale(low);
  const span = scale(high) - from;
  const position = (value: number) => (scale(value) - from) / span;
  const edges: number[] = [low];
  for (let bin = 1; bin < binCount; bin++) {
    const at = from + (span * bin) / binCount;
    edges.push(logarithmic ? Math.exp(at) : at);
  }
  edges.push(high);
  const counts = new Array<number>(binCount).fill(0);
  for (let index = 0; index < count; index++) {
    const bin = Math.max(0, Math.min(binCount - 1, Math.floor(position(samples[index] as number) * binCount)));
    counts[bin] = (counts[bin] as number) + 1;
  }
  return { edges, counts };
}
