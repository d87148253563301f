// `conflux client c|python`: where this conflux's client for a language is, so
// a component's build finds the C client (an example's Makefile asks it, as
// `conflux init` writes the path into the one it makes) from anywhere, not
// only from a checkout's ../../clients/c.
import type { Command } from "commander";
import { UsageError } from "./exit-codes.ts";

const LANGUAGES = ["c", "python"] as const;

export function registerClient(program: Command): void {
  program
    .command("client")
    .argument("<language>", `the client's language: ${LANGUAGES.join(" or ")}`)
    .description(
      "print the directory of this conflux's client for a language: c (conflux.h and conflux.c, to include and compile with a component) or python (the one `conflux run` puts on a command's PYTHONPATH)",
    )
    .action(async (language: string) => {
      if (!(LANGUAGES as readonly string[]).includes(language)) {
        throw new UsageError(`client ${JSON.stringify(language)}: the clients are ${LANGUAGES.join(" and ")}`);
      }
      const { realpathSync } = await import("node:fs");
      const { packagePath } = await import("../platform/package-root.ts");
      process.stdout.write(`${realpathSync(packagePath(`clients/${language}`))}\n`);
    });
}
