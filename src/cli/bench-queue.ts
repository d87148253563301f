import type { Command } from "commander";
import { withBenchProgress } from "./task-progress.ts";
import { wholeNumberOption } from "./whole-number-option.ts";

export function registerBenchQueue(bench: Command): void {
  bench
    .command("queue")
    .description(
      "round-trip latency of the command queue (spin, hybrid, block; process and thread) beside a pipe, a Unix socket, a MessagePort and the C cache-line floor, and one-way throughput",
    )
    .option("--iterations <n>", "round trips per spinning configuration (sleeping ones take at most 10,000)", "100000")
    .option("--repeat <n>", "rounds of every row, interleaved (≥ 5; each row is shown by its median round)", "5")
    .option(
      "--json",
      "print JSON: { results: [ { transport, mode, between, load, n, mean_ns, sd_ns, p50_ns, p99_ns, max_ns, repetitions } ], throughput: [...], repeat, machine }",
    )
    .action(async (options: { iterations: string; repeat: string; json?: boolean }) => {
      const iterations = wholeNumberOption("--iterations", options.iterations, 100);
      const repeat = wholeNumberOption("--repeat", options.repeat, 5);
      const [{ runQueueBenchmark }, { queueBenchmarkJson, queueBenchmarkTable }] = await Promise.all([
        import("../bench/queue.ts"),
        import("../bench/queue-report.ts"),
      ]);
      const result = await withBenchProgress("bench queue", (progress) =>
        runQueueBenchmark({
          iterations,
          repeat,
          progress,
        }),
      );
      process.stdout.write(options.json ? `${queueBenchmarkJson(result)}\n` : queueBenchmarkTable(result));
    });
}
