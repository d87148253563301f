// The command table (src/cli/command-help.json) is what `--help` says: every
// entry is a command the program has, and its help lists each option the
// table gives it, so that an entry left behind by a renamed command, or an
// option the table lost, fails here rather than in a user's shell.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { projectRoot } from "../support/child-process.ts";
import { runConflux } from "../support/run-conflux.ts";

interface CommandHelp {
  description: string;
  options: { flags: string; help: string; default?: string }[];
}

const table = JSON.parse(readFileSync(join(projectRoot, "src/cli/command-help.json"), "utf8")) as Record<
  string,
  CommandHelp
>;

/** commander's help wraps text at the terminal's width; compare with white space folded. */
function folded(text: string): string {
  return text.replace(/\s+/g, " ");
}

test("every command of the table has its description and options in its --help", () => {
  const keys = Object.keys(table);
  assert.ok(keys.length >= 7, `the table holds ${keys.length} commands`);
  for (const key of keys) {
    const result = runConflux([...key.split(" "), "--help"], projectRoot, 30_000);
    assert.equal(result.code, 0, `conflux ${key} --help: ${result.stderr}`);
    const help = folded(result.stdout);
    assert.ok(help.startsWith(`Usage: conflux ${key} `), `conflux ${key} --help names the command: ${help}`);
    assert.ok(help.includes(folded(table[key]?.description ?? "")), `conflux ${key}: its description`);
    for (const option of table[key]?.options ?? []) {
      assert.ok(help.includes(option.flags), `conflux ${key}: ${option.flags}`);
      if (option.default !== undefined) {
        assert.ok(help.includes(`(default: "${option.default}")`), `conflux ${key}: ${option.flags}'s default`);
      }
    }
  }
});
