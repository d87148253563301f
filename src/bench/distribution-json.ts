// A distribution of microseconds as the benchmarks' JSON gives it.
import type { Distribution } from "../stats/distribution.ts";
import type { MicrosecondSummary } from "../stats/microsecond-summary.ts";

/** The summary of a distribution measured in microseconds. */
export function distributionJson(distribution: Distribution): MicrosecondSummary {
  return {
    n: distribution.n,
    mean_us: distribution.mean,
    sd_us: distribution.sd,
    p50_us: distribution.p50,
    p99_us: distribution.p99,
    max_us: distribution.max,
  };
}
