// `conflux bench …`: one subcommand per benchmark; each lives in its own file.
import type { Command } from "commander";

export function registerBench(program: Command): Command {
  return program
    .command("bench")
    .description("measure and print distributions (mean ± sd, p50, p99, max); --json for machines");
}
