import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { ExitCode, UsageError } from "./exit-codes.ts";

const FORMATS = ["svg", "dot"] as const;

export function registerGraph(program: Command): void {
  program
    .command("graph")
    .description(
      "draw a composition file: its components (enclave, stack, ranks, node) and transfers (fields, operator)",
    )
    .argument("<file>", "the composition file (YAML)")
    .option("--format <format>", "svg (drawn with Graphviz, built in) or dot (Graphviz source)", "svg")
    .option("-o, --out <file>", "write the drawing here instead of to standard output")
    .action(async (file: string, options: { format: string; out?: string }) => {
      if (!(FORMATS as readonly string[]).includes(options.format)) {
        throw new UsageError(`--format ${options.format}: give svg or dot`);
      }
      const [{ CompositionError, loadComposition }, { compositionDot, dotToSvg }] = await Promise.all([
        import("../compose/index.ts"),
        import("../diagram/index.ts"),
      ]);
      let dot: string;
      try {
        // A drawing needs no program to exist yet: a composition is drawn while it is being written.
        dot = compositionDot(loadComposition(file, { checkFiles: false }));
      } catch (error) {
        if (!(error instanceof CompositionError)) throw error;
        process.stderr.write(`${error.message}\n`);
        process.exitCode = ExitCode.usage;
        return;
      }
      const drawing = options.format === "dot" ? dot : await dotToSvg(dot);
      if (options.out === undefined) process.stdout.write(drawing);
      else writeFileSync(options.out, drawing);
    });
}
