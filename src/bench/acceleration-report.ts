// bench/ owns the benchmarks (map, queue, seed, coupling, implicit, acceleration, lammps, cli) and their reports; C floors in c/.
// It must not import examples/ (it runs the demonstration's components by path), and nothing of the library imports it.

// Prints the acceleration benchmark as a table, or as JSON.
import type { Distribution } from "../stats/distribution.ts";
import { alignColumns, formatMicroseconds } from "../stats/table.ts";
import type { AccelerationBenchmark } from "./acceleration.ts";
import { distributionJson } from "./distribution-json.ts";

export function accelerationBenchmarkJson(benchmark: AccelerationBenchmark): string {
  return JSON.stringify(
    {
      cores: benchmark.cores,
      runs: benchmark.runs.map((run) => ({
        method: run.method,
        values: run.size,
        columns: run.columns,
        threads: run.threads,
        threads_used: run.threadsUsed,
        iteration: distributionJson(run.iteration),
        window_end: distributionJson(run.windowEnd),
        speedup_mean: run.speedupMean,
        speedup_p50: run.speedupP50,
      })),
    },
    null,
    2,
  );
}

function cell(distribution: Distribution): string {
  return `${formatMicroseconds(distribution.mean)} ± ${formatMicroseconds(distribution.sd)}`;
}

export function accelerationBenchmarkTable(benchmark: AccelerationBenchmark): string {
  const rows = [
    [
      "method",
      "values",
      "columns",
      "threads",
      "iteration µs mean ± sd",
      "p50",
      "p99",
      "max",
      "speedup p50",
      "mean",
      "window end µs p50",
    ],
  ];
  for (const run of benchmark.runs) {
    rows.push([
      run.method,
      String(run.size),
      String(run.columns),
      run.threadsUsed === run.threads ? String(run.threads) : `${run.threads} (used ${run.threadsUsed})`,
      cell(run.iteration),
      formatMicroseconds(run.iteration.p50),
      formatMicroseconds(run.iteration.p99),
      formatMicroseconds(run.iteration.max),
      `${run.speedupP50.toFixed(2)}×`,
      `${run.speedupMean.toFixed(2)}×`,
      formatMicroseconds(run.windowEnd.p50),
    ]);
  }
  return `${alignColumns(rows).join("\n")}\n\n${benchmark.cores} cores; speedups against one thread in the same run.\n`;
}
