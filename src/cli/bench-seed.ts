import type { Command } from "commander";
import type { SeedEnclave } from "../bench/seed.ts";
import { UsageError } from "./exit-codes.ts";
import { withBenchProgress } from "./task-progress.ts";
import { wholeNumberOption } from "./whole-number-option.ts";

const ENCLAVES: readonly SeedEnclave[] = ["baseline", "thread", "process", "container", "vm"];

export function registerBenchSeed(bench: Command): void {
  bench
    .command("seed")
    .description(
      "the talk's table: command queue, appA → appB and appB → appA transforms, complete iteration, per enclave kind",
    )
    .option("--enclaves <list>", "comma-separated: baseline,thread,process,container,vm", "baseline,thread,process")
    .option("--points <n>", "points per mesh", "3000")
    .option("--iterations <n>", "coupling iterations", "500")
    .option("--repeat <n>", "runs of every column, interleaved (≥ 5; every figure is their median)", "5")
    .option(
      "--json",
      "print { repetitions, order: [ { repetition, enclave } ], rows: [ { measurement, enclave, n, mean_us, sd_us, p50_us, p99_us, max_us (medians over the repetitions), spread: { p50_us: { median, min, max, n }, … }, runs: [ … ] } ], ratios: [ { of, over, ratio, pairs, target } ], outliers, boots, notes, skipped, machine }",
    )
    .action(
      async (options: { enclaves: string; points: string; iterations: string; repeat: string; json?: boolean }) => {
        const enclaves = options.enclaves.split(",").map((name) => name.trim());
        for (const enclave of enclaves) {
          if (!ENCLAVES.includes(enclave as SeedEnclave)) {
            throw new UsageError(`--enclaves: "${enclave}" is not one of ${ENCLAVES.join(", ")}`);
          }
        }
        const [{ runSeedBenchmark }, { seedBenchmarkJson, seedBenchmarkTable }] = await Promise.all([
          import("../bench/seed.ts"),
          import("../bench/seed-report.ts"),
        ]);
        const result = await withBenchProgress("bench seed", (progress) =>
          runSeedBenchmark({
            enclaves: enclaves as SeedEnclave[],
            points: wholeNumberOption("--points", options.points),
            iterations: wholeNumberOption("--iterations", options.iterations),
            // As bench map: a median of fewer than five says little about the spread.
            repetitions: wholeNumberOption("--repeat", options.repeat, 5),
            progress,
          }),
        );
        process.stdout.write(options.json ? `${seedBenchmarkJson(result)}\n` : seedBenchmarkTable(result));
      },
    );
}
