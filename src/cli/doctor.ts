import type { Command } from "commander";
import type { Requirement } from "../platform/requirement.ts";
import { ExitCode } from "./exit-codes.ts";

export function registerDoctor(program: Command): void {
  program
    .command("doctor")
    .description(
      "say which enclave kinds and client toolchains work on this machine and, for each that does not, exactly what is missing",
    )
    .option("--json", "print the report as JSON")
    .action(async (options: { json?: boolean }) => {
      const [{ checkEnclaveKinds }, { checkClientToolchains }, { cgroupRequirement }] = await Promise.all([
        import("../enclave/requirements.ts"),
        import("../platform/client-toolchains.ts"),
        import("../enclave/resources/cgroup-host.ts"),
      ]);
      const reports = checkEnclaveKinds();
      const clients = checkClientToolchains();
      const cgroups = cgroupRequirement();
      const resources = { usable: cgroups.ok, requirements: [cgroups] };
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ kinds: reports, clients, resources }, null, 2)}\n`);
      } else {
        for (const report of reports) print(report.usable, report.kind, report.requirements);
        for (const client of clients) print(client.usable, client.client, client.requirements);
        print(resources.usable, "enclave limits (memory_mib, cpu_weight)", resources.requirements);
      }
      const basicKindsWork = reports
        .filter((report) => report.kind === "process" || report.kind === "thread")
        .every((report) => report.usable);
      if (!basicKindsWork) process.exitCode = ExitCode.missingRequirement;
    });
}

function print(usable: boolean, name: string, requirements: readonly Requirement[]): void {
  process.stdout.write(`${usable ? "✓" : "✗"} ${name}\n`);
  for (const requirement of requirements) {
    const fix = requirement.ok || requirement.fix === undefined ? "" : ` — fix: ${requirement.fix}`;
    process.stdout.write(
      `    ${requirement.ok ? "ok     " : "MISSING"} ${requirement.what}: ${requirement.detail}${fix}\n`,
    );
  }
}
