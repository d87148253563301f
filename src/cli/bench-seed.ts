import type { Command } from "commander";
import type { SeedEnclave } from "../bench/seed.ts";
import { describedCommand } from "./described-command.ts";
import { UsageError } from "./exit-codes.ts";
import { withBenchProgress } from "./task-progress.ts";
import { wholeNumberOption } from "./whole-number-option.ts";

const ENCLAVES: readonly SeedEnclave[] = ["baseline", "thread", "process", "container", "vm"];

export function registerBenchSeed(bench: Command): void {
  describedCommand(bench, "seed").action(
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
