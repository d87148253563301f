import type { Command } from "commander";
import { SCAFFOLD_LANGUAGES, type ScaffoldLanguage } from "../scaffold/scaffold-files.ts";
import { ExitCode, UsageError } from "./exit-codes.ts";

export function registerInit(program: Command): void {
  program
    .command("init")
    .description("write a new component and a two-component composition around it, ready for `conflux run`")
    .argument("<name>", "the component's name; a directory of that name is created here")
    .option("--language <language>", "ts, python or c", "ts")
    .action(async (name: string, options: { language: string }) => {
      if (!(SCAFFOLD_LANGUAGES as readonly string[]).includes(options.language)) {
        throw new UsageError(`--language ${options.language}: give one of ${SCAFFOLD_LANGUAGES.join(", ")}`);
      }
      const { ScaffoldError, writeScaffold } = await import("../scaffold/index.ts");
      let scaffold: ReturnType<typeof writeScaffold>;
      try {
        scaffold = writeScaffold(name, options.language as ScaffoldLanguage);
      } catch (error) {
        if (!(error instanceof ScaffoldError)) throw error;
        throw new UsageError(error.message);
      }
      process.stdout.write(`wrote ${scaffold.directory}/\n`);
      for (const file of scaffold.files) process.stdout.write(`  ${file}\n`);
      if (scaffold.build !== undefined && !scaffold.build.ok) {
        process.stderr.write(`conflux init: ${scaffold.build.command} failed:\n${scaffold.build.output}\n`);
        process.exitCode = ExitCode.failure;
        return;
      }
      process.stdout.write(`run it: cd ${name} && conflux run conflux.yaml\n`);
    });
}
