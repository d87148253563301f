// bench/ owns the benchmarks (map, queue, seed, coupling, implicit, acceleration, lammps, cli) and their reports; C floors in c/.
// It must not import examples/ (it runs the demonstration's components by path), and nothing of the library imports it.

// Prints the acceleration benchmark as a table, or as JSON: each row its
// median round, every figure the median of the rounds with [min–max], the
// speedups quotients of medians of this run.
import type { Distribution } from "../stats/distribution.ts";
import { alignColumns, formatMicroseconds } from "../stats/table.ts";
import type { AccelerationBenchmark } from "./acceleration.ts";
import { distributionJson } from "./distribution-json.ts";
import { repeatedSpreadJson, withSpread } from "./interleaved-rounds.ts";
import { machineLine } from "./machine-load.ts";

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
        spread: {
          iteration: repeatedSpreadJson(run.iterationRounds, "us"),
          window_end: repeatedSpreadJson(run.windowEndRounds, "us"),
        },
        repetitions: run.iterationRounds.rounds.map((iteration, round) => ({
          iteration: distributionJson(iteration),
          window_end: distributionJson(run.windowEndRounds.rounds[round] as Distribution),
        })),
      })),
      repeat: benchmark.repeat,
      machine: benchmark.machine,
    },
    null,
    2,
  );
}

export function accelerationBenchmarkTable(benchmark: AccelerationBenchmark): string {
  const rows = [
    [
      "method",
      "values",
      "columns",
      "threads",
      `iteration µs p50 of ${benchmark.repeat} rounds: median [min–max]`,
      "p99",
      "mean ± sd (median round)",
      "max",
      "speedup p50",
      "mean",
      "window end µs p50",
    ],
  ];
  for (const run of benchmark.runs) {
    const { spread } = run.iterationRounds;
    rows.push([
      run.method,
      String(run.size),
      String(run.columns),
      run.threadsUsed === run.threads ? String(run.threads) : `${run.threads} (used ${run.threadsUsed})`,
      withSpread(spread.p50),
      withSpread(spread.p99),
      `${formatMicroseconds(run.iteration.mean)} ± ${formatMicroseconds(run.iteration.sd)}`,
      formatMicroseconds(run.iteration.max),
      `${run.speedupP50.toFixed(2)}×`,
      `${run.speedupMean.toFixed(2)}×`,
      withSpread(run.windowEndRounds.spread.p50),
    ]);
  }
  return [
    `Every row measured in each of ${benchmark.repeat} rounds, interleaved, and shown by the round whose iteration p50 is the median`,
    ...alignColumns(rows),
    "",
    `${benchmark.cores} cores; speedups against one thread in the same run: the one-thread row's median over this row's (p50, and mean).`,
    machineLine(benchmark.machine),
    "",
  ].join("\n");
}
