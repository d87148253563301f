// What the cross-language tests need: a C compiler to build the C client into
// a temporary directory removed when the test ends, and a python3.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { compilerCommand } from "../../src/platform/c-compiler.ts";
import { projectRoot } from "../support/child-process.ts";

export const C_CLIENT = join(projectRoot, "clients/c");
export const PYTHON_CLIENT = join(projectRoot, "clients/python");

/** The flags the C client promises to build cleanly with; -Werror makes a warning fail the test. */
const C_FLAGS = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-O2", "-ffp-contract=off"];

/** A directory under the system's temporary directory, removed when `t` ends. */
export function scratchDirectory(t: TestContext): string {
  const directory = mkdtempSync(join(tmpdir(), "conflux-clients-"));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

/** Why C tests cannot run here, or undefined when a compiler is there. */
export function cSkipReason(): string | undefined {
  return compilerCommand() === undefined ? "no C compiler (cc, gcc or clang)" : undefined;
}

/** Compiles `sources` (paths under the project) with the C client into `directory`/`name`; returns the binary. */
export function compileWithClient(directory: string, name: string, sources: string[]): string {
  const compiler = compilerCommand();
  if (compiler === undefined) throw new Error("no C compiler");
  const binary = join(directory, name);
  const build = spawnSync(
    compiler,
    [
      ...C_FLAGS,
      `-I${C_CLIENT}`,
      ...sources.map((source) => join(projectRoot, source)),
      join(C_CLIENT, "conflux.c"),
      "-lm",
      "-o",
      binary,
    ],
    { encoding: "utf8" },
  );
  if (build.status !== 0) throw new Error(`${sources.join(" ")} did not compile:\n${build.stderr}`);
  return binary;
}

/** python3 on PATH (or /usr/bin/python3), or undefined. */
export function pythonCommand(): string | undefined {
  for (const python of ["python3", "/usr/bin/python3"]) {
    const probe = spawnSync(python, ["-c", "import sys; assert sys.version_info >= (3, 11)"], { stdio: "ignore" });
    if (probe.status === 0) return python;
  }
  return undefined;
}

/** Whether `python` can import numpy. */
export function pythonHasNumpy(python: string): boolean {
  return spawnSync(python, ["-c", "import numpy"], { stdio: "ignore" }).status === 0;
}

/** The ways of doing atomics the Python client can use with `python` here (libatomic, x86-64 instructions). */
export function pythonAtomics(python: string): string[] {
  return ["libatomic", "x86-64"].filter(
    (atomics) =>
      spawnSync(python, ["-c", "import conflux"], {
        stdio: "ignore",
        env: { ...process.env, ...pythonEnvironment({ CONFLUX_PYTHON_ATOMICS: atomics }) },
      }).status === 0,
  );
}

/** The environment a Python client runs in: the module on its path, no bytecode files written into the tree. */
export function pythonEnvironment(extra: Record<string, string> = {}): Record<string, string> {
  return { PYTHONPATH: PYTHON_CLIENT, PYTHONDONTWRITEBYTECODE: "1", ...extra };
}
