// A subcommand whose description and options come from the command table,
// command-help.json: what each command does and takes is written once, as
// data, where `--help`, the docs and a test read it, and the files of the
// commands hold only what a command does with its options.
import type { Command } from "commander";
import table from "./command-help.json" with { type: "json" };

/** One option: its flags, what it does, and, when it has one, its default. */
export interface OptionHelp {
  flags: string;
  help: string;
  default?: string;
}

/** What the table says of one command. */
export interface CommandHelp {
  description: string;
  options: readonly OptionHelp[];
}

const COMMANDS: Readonly<Record<string, CommandHelp>> = table;

/** The table's key of `parent`'s subcommand `name`: "bench queue" under bench, "view" under the program. */
function commandKey(parent: Command, name: string): string {
  return parent.parent === null ? name : `${parent.name()} ${name}`;
}

/** The table's entry of `key`; a command missing from it is this package's own mistake, named as such. */
export function commandHelp(key: string): CommandHelp {
  const help = COMMANDS[key];
  if (help === undefined) throw new Error(`conflux's command table (cli/command-help.json) has no "${key}"`);
  return help;
}

/** `parent`'s subcommand `name`, with the table's description and options; the caller adds arguments and the action. */
export function describedCommand(parent: Command, name: string): Command {
  const help = commandHelp(commandKey(parent, name));
  const command = parent.command(name).description(help.description);
  for (const option of help.options) command.option(option.flags, option.help, option.default);
  return command;
}
