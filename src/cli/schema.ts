import { writeFileSync } from "node:fs";
import type { Command } from "commander";

export function registerSchema(program: Command): void {
  program
    .command("schema")
    .description("print the JSON Schema of composition files, for editor completion and checking")
    .option("--out <file>", "write it to this file instead")
    .action(async (options: { out?: string }) => {
      const { compositionJsonSchema } = await import("../compose/index.ts");
      const text = `${JSON.stringify(compositionJsonSchema(), null, 2)}\n`;
      if (options.out === undefined) {
        process.stdout.write(text);
      } else {
        writeFileSync(options.out, text);
        process.stdout.write(`wrote ${options.out}\n`);
      }
    });
}
