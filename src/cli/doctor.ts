import type { Command } from "commander";
import { checkEnclaveKinds } from "../enclave/requirements.ts";
import { ExitCode } from "./exit-codes.ts";

export function registerDoctor(program: Command): void {
  program
    .command("doctor")
    .description("say which enclave kinds work on this machine and, for each that does not, exactly what is missing")
    .option("--json", "print the report as JSON")
    .action((options: { json?: boolean }) => {
      const reports = checkEnclaveKinds();
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ kinds: reports }, null, 2)}\n`);
      } else {
        for (const report of reports) {
          process.stdout.write(`${report.usable ? "✓" : "✗"} ${report.kind}\n`);
          for (const requirement of report.requirements) {
            const fix = requirement.ok || requirement.fix === undefined ? "" : ` — fix: ${requirement.fix}`;
            process.stdout.write(
              `    ${requirement.ok ? "ok     " : "MISSING"} ${requirement.what}: ${requirement.detail}${fix}\n`,
            );
          }
        }
      }
      const basicKindsWork = reports
        .filter((report) => report.kind === "process" || report.kind === "thread")
        .every((report) => report.usable);
      if (!basicKindsWork) process.exitCode = ExitCode.missingRequirement;
    });
}
