import type { Command } from "commander";
import { createTaskProgress } from "./task-progress.ts";
import { wholeNumberOption } from "./whole-number-option.ts";

export function registerBenchCli(bench: Command): void {
  bench
    .command("cli")
    .description(
      "how long conflux --help and conflux validate take, built and from the sources, beside a node that does nothing",
    )
    .option("--rounds <n>", "interleaved rounds of every case", "20")
    .option(
      "--json",
      "print { rounds, rows: [ { case, n, mean_ms, sd_ms, p50_ms, p99_ms, max_ms, target_ms? } ], ratios: [ { name, value } ], machine }",
    )
    .action(async (options: { rounds: string; json?: boolean }) => {
      const [{ runCliStartBenchmark }, { cliStartJson, cliStartTable }] = await Promise.all([
        import("../bench/cli-start.ts"),
        import("../bench/cli-start-report.ts"),
      ]);
      const progress = createTaskProgress("bench cli", undefined, process.stderr, (what) => `measuring ${what}…`);
      const result = runCliStartBenchmark({
        rounds: wholeNumberOption("--rounds", options.rounds, 5),
        progress: (what) => progress.step(what),
      });
      progress.finish();
      process.stdout.write(options.json ? `${cliStartJson(result)}\n` : cliStartTable(result));
    });
}
