// A distribution of times as the JSON the benchmarks print and the run record
// store give it: in microseconds, under names that say so.

/** { n, mean_us, sd_us, p50_us, p99_us, max_us }. */
export interface MicrosecondSummary {
  n: number;
  mean_us: number;
  sd_us: number;
  p50_us: number;
  p99_us: number;
  max_us: number;
}
