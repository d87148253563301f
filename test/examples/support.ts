// What the example tests share: a scratch directory removed when the test
// ends, C programs built from the examples' numerics (no client), and running
// a small program to its JSON output. What they need from the machine (a C
// compiler, a python3 with numpy) is in test/support/requirements.ts.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { compilerCommand } from "../../src/platform/c-compiler.ts";
import { projectRoot } from "../support/child-process.ts";

export const HEAT_EXAMPLE = join(projectRoot, "examples/partitioned-heat");
export const TUBE_EXAMPLE = join(projectRoot, "examples/elastic-tube-1d");

/** The flags the examples' C files build cleanly with; -Werror makes a warning fail the test. */
export const C_FLAGS = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-O2", "-ffp-contract=off"];

/** A directory under the system's temporary directory, removed when `t` ends. */
export function scratchDirectory(t: TestContext): string {
  const directory = mkdtempSync(join(tmpdir(), "conflux-examples-"));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

/** Compiles `sources` (absolute paths) with `includes` into `directory`/`name`; returns the binary. */
export function compileC(directory: string, name: string, sources: string[], includes: string[] = []): string {
  const compiler = compilerCommand();
  if (compiler === undefined) throw new Error("no C compiler");
  const binary = join(directory, name);
  const build = spawnSync(
    compiler,
    [...C_FLAGS, ...includes.map((include) => `-I${include}`), ...sources, "-lm", "-o", binary],
    { encoding: "utf8" },
  );
  if (build.status !== 0) throw new Error(`${sources.join(" ")} did not compile:\n${build.stderr}`);
  return binary;
}

/** Runs a program to completion and parses every stdout line as JSON. */
export function runJsonLines(command: string, args: string[], timeoutMs = 120_000): unknown[] {
  const run = spawnSync(command, args, {
    encoding: "utf8",
    timeout: timeoutMs,
    cwd: projectRoot,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" },
    maxBuffer: 1 << 26,
  });
  if (run.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed (${run.status ?? run.signal}): ${run.stderr}`);
  }
  return run.stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as unknown);
}
