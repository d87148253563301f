import type { Command } from "commander";
import { readRunRecord } from "../repro/run-record.ts";
import { UsageError } from "./exit-codes.ts";
import { runSummary } from "./run-summary.ts";

export function registerInspect(program: Command): void {
  program
    .command("inspect")
    .description("show a finished run: its components and enclaves, iterations, transfer setup and per-phase timings")
    .argument("<run-dir>", "a directory `conflux run` wrote")
    .option("--json", "print the run record as JSON")
    .action((directory: string, options: { json?: boolean }) => {
      let record: ReturnType<typeof readRunRecord>;
      try {
        record = readRunRecord(directory);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      process.stdout.write(options.json ? `${JSON.stringify(record, null, 2)}\n` : runSummary(record, directory));
    });
}
