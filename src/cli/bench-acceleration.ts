import type { Command } from "commander";
import type { AcceleratedMethod } from "../bench/acceleration.ts";
import { describedCommand } from "./described-command.ts";
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
  describedCommand(bench, "acceleration").action(
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
