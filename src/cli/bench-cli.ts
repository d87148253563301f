import type { Command } from "commander";
import { describedCommand } from "./described-command.ts";
import { createTaskProgress } from "./task-progress.ts";
import { wholeNumberOption } from "./whole-number-option.ts";

export function registerBenchCli(bench: Command): void {
  describedCommand(bench, "cli").action(async (options: { rounds: string; json?: boolean }) => {
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
