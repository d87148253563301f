import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { compositionJsonSchema } from "../compose/index.ts";

export function registerSchema(program: Command): void {
  program
    .command("schema")
    .description("print the JSON Schema of composition files, for editor completion and checking")
    .option("--out <file>", "write it to this file instead")
    .action((options: { out?: string }) => {
      const text = `${JSON.stringify(compositionJsonSchema(), null, 2)}\n`;
      if (options.out === undefined) {
        process.stdout.write(text);
      } else {
        writeFileSync(options.out, text);
        process.stdout.write(`wrote ${options.out}\n`);
      }
    });
}
