import type { Command } from "commander";
import type { AcceleratedMethod } from "../bench/acceleration.ts";
import { UsageError } from "./exit-codes.ts";
import { withBenchProgress } from "./task-progress.ts";
import { wholeNumberOption } from "./whole-number-option.ts";

function wholeNumbers(option: string, text: string, least: number): number[] {
  const values = text.split(",").map((part) => Number(part.trim()));
  for (const value of values) {
    if (!Number.isInteger(value) || value < least) {
      throw new UsageError(`${option} ${text}: give whole numbers of at least ${least}, comma-separated`);
    }
  }
  return values;
}

export function registerBenchAcceleration(bench: Command): void {
  bench
    .command("acceleration")
    .description(
      "the quasi-Newton accelerations' time per iteration (and per window end) on one large vector with a full history, on each thread count, with the speedup against one thread measured in the same run",
    )
    .option("--methods <list>", "iqn-ils, iqn-imvj, comma-separated", "iqn-ils,iqn-imvj")
    .option("--sizes <list>", "values in the accelerated vector", "100000,1000000")
    .option("--columns <list>", "columns kept (max_columns)", "10,100")
    .option("--threads <list>", "thread counts (one thread is always measured, as the reference)", "1,2")
    .option("--iterations <n>", "timed iterations per configuration, once the history is full", "10")
    .option(
      "--repeat <n>",
      "rounds of every configuration, interleaved (≥ 5; each row is shown by its median round, speedups from the medians)",
      "5",
    )
    .option(
      "--json",
      "print { cores, runs: [ { method, values, columns, threads, threads_used, iteration, window_end (each { n, mean_us, sd_us, p50_us, p99_us, max_us }: the median round's), speedup_mean, speedup_p50, spread: { iteration, window_end (each { mean_us, sd_us, p50_us, p99_us, max_us } as { median, min, max, n }) }, repetitions: [ { iteration, window_end } ] } ], repeat, machine }",
    )
    .action(
      async (options: {
        methods: string;
        sizes: string;
        columns: string;
        threads: string;
        iterations: string;
        repeat: string;
        json?: boolean;
      }) => {
        const [
          { acceleratedMethods, runAccelerationBenchmark },
          { accelerationBenchmarkJson, accelerationBenchmarkTable },
        ] = await Promise.all([import("../bench/acceleration.ts"), import("../bench/acceleration-report.ts")]);
        const methods = options.methods.split(",").map((name) => name.trim());
        for (const method of methods) {
          if (!acceleratedMethods.includes(method as AcceleratedMethod)) {
            throw new UsageError(`--methods: "${method}" is not one of ${acceleratedMethods.join(", ")}`);
          }
        }
        const [iterations] = wholeNumbers("--iterations", options.iterations, 2);
        const repeat = wholeNumberOption("--repeat", options.repeat, 5);
        const benchmark = await withBenchProgress(
          "bench acceleration",
          (progress) =>
            runAccelerationBenchmark({
              methods: methods as AcceleratedMethod[],
              sizes: wholeNumbers("--sizes", options.sizes, 2),
              columns: wholeNumbers("--columns", options.columns, 1),
              threads: wholeNumbers("--threads", options.threads, 1),
              iterations: iterations as number,
              repeat,
              log: progress,
            }),
          (line) => line,
        );
        process.stdout.write(
          options.json ? `${accelerationBenchmarkJson(benchmark)}\n` : accelerationBenchmarkTable(benchmark),
        );
      },
    );
}
