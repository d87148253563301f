import type { Command } from "commander";
import { describedCommand } from "./described-command.ts";
import { withBenchProgress } from "./task-progress.ts";
import { wholeNumberOption } from "./whole-number-option.ts";

export function registerBenchQueue(bench: Command): void {
  describedCommand(bench, "queue").action(async (options: { iterations: string; repeat: string; json?: boolean }) => {
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
