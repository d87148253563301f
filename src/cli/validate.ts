import type { Command } from "commander";
import { ExitCode } from "./exit-codes.ts";

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description("check a composition file and report every problem with its line and column; starts nothing")
    .argument("<file>", "the composition file (YAML)")
    .option("--no-check-files", "do not require module and program paths to exist")
    .option("--json", 'print { "valid", "problems": [{ file, line, column, path, message, hint }] }')
    .addHelpText("after", "\nExit codes: 0 valid, 2 invalid or unreadable.\n")
    .action(async (file: string, options: { checkFiles: boolean; json?: boolean }) => {
      const [{ CompositionError, formatProblem, loadComposition }, { stackSpecProblem }] = await Promise.all([
        import("../compose/index.ts"),
        import("../stack/stack-spec.ts"),
      ]);
      try {
        // A stack spec is read as run reads it, so that validate names one that run would refuse.
        const composition = loadComposition(file, { checkFiles: options.checkFiles, stackSpecProblem });
        if (options.json) {
          process.stdout.write(`${JSON.stringify({ valid: true, problems: [] }, null, 2)}\n`);
          return;
        }
        const components = count(Object.keys(composition.components).length, "component");
        const transfers = count(composition.transfers.length, "transfer");
        const coupling = composition.coupling;
        const loop =
          coupling.iterations !== undefined
            ? count(coupling.iterations, "iteration")
            : `${coupling.scheme} in windows of ${coupling.window}${coupling.max_time === undefined ? `, ${count(coupling.windows ?? 0, "window")}` : ` to t = ${coupling.max_time}`}`;
        process.stdout.write(`${file}: valid (${components}, ${transfers}, ${loop})\n`);
      } catch (error) {
        if (!(error instanceof CompositionError)) throw error;
        if (options.json) {
          process.stdout.write(`${JSON.stringify({ valid: false, problems: error.problems }, null, 2)}\n`);
        } else {
          for (const problem of error.problems) process.stderr.write(`${formatProblem(problem)}\n`);
          process.stderr.write(`${file}: ${count(error.problems.length, "problem")}\n`);
        }
        process.exitCode = ExitCode.usage;
      }
    });
}
