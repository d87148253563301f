import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { describedCommand } from "./described-command.ts";
import { UsageError } from "./exit-codes.ts";

export function registerReport(program: Command): void {
  describedCommand(program, "report")
    .argument("<run-dir>", "a directory `conflux run` wrote")
    .action(async (directory: string, options: { out: string }) => {
      const { ReportError, reportPage } = await import("../report/index.ts");
      let page: string;
      try {
        page = await reportPage(directory);
      } catch (error) {
        if (error instanceof ReportError) throw new UsageError(error.message);
        throw error;
      }
      try {
        writeFileSync(options.out, page);
      } catch (error) {
        throw new UsageError(`cannot write ${options.out} (${(error as Error).message}): give --out a writable path`);
      }
      process.stdout.write(`report: ${options.out}\n`);
    });
}
