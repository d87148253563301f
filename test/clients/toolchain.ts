// What the cross-language tests need: a C compiler to build the C client into
// a temporary directory removed when the test ends, and a python3. Whether
// this machine has them is decided in test/support/requirements.ts.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import type { TestContext } from "node:test";
import { compilerCommand } from "../../src/platform/c-compiler.ts";
import { projectRoot } from "../support/child-process.ts";
import {
  C_COMPILER,
  everythingRequired,
  type Gate,
  needs,
  pythonCommand,
  pythonHasNumpy,
  type Requirement,
  SANITIZER_ENVIRONMENT,
  SANITIZER_FLAGS,
  SANITIZERS,
  unmet,
} from "../support/requirements.ts";

export { everythingRequired, pythonCommand, pythonHasNumpy, SANITIZER_ENVIRONMENT, SANITIZER_FLAGS };

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

/** Compiles `sources` (paths under the project, or absolute) with the C client into `directory`/`name`; returns the binary. */
export function compileWithClient(
  directory: string,
  name: string,
  sources: string[],
  extraFlags: string[] = [],
  compiler: string | undefined = compilerCommand(),
): string {
  if (compiler === undefined) throw new Error("no C compiler");
  const binary = join(directory, name);
  const build = spawnSync(
    compiler,
    [
      ...C_FLAGS,
      ...extraFlags,
      `-I${C_CLIENT}`,
      ...sources.map((source) => (isAbsolute(source) ? source : join(projectRoot, source))),
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

/** One way of building C programs with the client, and whether it works here. */
export interface CBuild {
  name: string;
  /** node:test options: a skip with its reason, or under CONFLUX_TEST_REQUIRE=all a failure (test/support/requirements.ts). */
  options: Gate;
  /** Throws the skip reason when the build cannot work here but CONFLUX_TEST_REQUIRE=all wants the test run. */
  required(): void;
  compile(directory: string, name: string, sources: string[]): string;
  /** The environment its programs run with. */
  environment: Record<string, string>;
}

function build(name: string, requirement: Requirement, flags: string[], environment: Record<string, string>): CBuild {
  return {
    name,
    options: needs(requirement),
    required() {
      const reason = unmet(requirement);
      if (reason !== undefined && everythingRequired()) throw new Error(`CONFLUX_TEST_REQUIRE=all, but ${reason}`);
    },
    compile: (directory, binary, sources) => compileWithClient(directory, binary, sources, flags),
    environment,
  };
}

/** The client as a component builds it. */
export function plainBuild(): CBuild {
  return build("plain build", C_COMPILER, [], {});
}

/** Why the C compiler cannot build and run a program under ASan and UBSan here, or undefined when it can. */
export function sanitizerSkipReason(): string | undefined {
  return unmet(SANITIZERS);
}

/** The client and the test program under AddressSanitizer and UndefinedBehaviorSanitizer. */
export function sanitizedBuild(): CBuild {
  return build("ASan+UBSan", SANITIZERS, SANITIZER_FLAGS, SANITIZER_ENVIRONMENT);
}
