// What the cross-language tests need: a C compiler to build the C client into
// a temporary directory removed when the test ends, and a python3.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
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

/**
 * How the C client's own tests build it under AddressSanitizer and UndefinedBehaviorSanitizer: every error is
 * fatal (-fno-sanitize-recover=all). GCC leaves float-cast-overflow out of -fsanitize=undefined; it is named.
 */
export const SANITIZER_FLAGS = [
  "-fsanitize=address,undefined,float-cast-overflow",
  "-fno-sanitize-recover=all",
  "-fno-omit-frame-pointer",
  "-g",
];

/** What a sanitized program runs with: a report ends it with its own exit code, after a stack trace. */
export const SANITIZER_ENVIRONMENT: Record<string, string> = {
  ASAN_OPTIONS: "detect_leaks=1:exitcode=86:abort_on_error=0:strict_string_checks=1",
  UBSAN_OPTIONS: "print_stacktrace=1:halt_on_error=1:exitcode=87",
};

/** Compiles `sources` (paths under the project) with the C client into `directory`/`name`; returns the binary. */
export function compileWithClient(
  directory: string,
  name: string,
  sources: string[],
  extraFlags: string[] = [],
): string {
  const compiler = compilerCommand();
  if (compiler === undefined) throw new Error("no C compiler");
  const binary = join(directory, name);
  const build = spawnSync(
    compiler,
    [
      ...C_FLAGS,
      ...extraFlags,
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

/** CONFLUX_TEST_REQUIRE=all (CI): a test that would skip for want of something on this machine fails instead. */
export function everythingRequired(): boolean {
  return process.env.CONFLUX_TEST_REQUIRE === "all";
}

/** One way of building C programs with the client, and whether it works here. */
export interface CBuild {
  name: string;
  /** node:test options: a skip with its reason, unless CONFLUX_TEST_REQUIRE=all asks for every test. */
  options: { skip?: string };
  /** Throws the skip reason when the build cannot work here but CONFLUX_TEST_REQUIRE=all wants the test run. */
  required(): void;
  compile(directory: string, name: string, sources: string[]): string;
  /** The environment its programs run with. */
  environment: Record<string, string>;
}

function build(name: string, reason: string | undefined, flags: string[], environment: Record<string, string>): CBuild {
  const demanded = reason !== undefined && everythingRequired();
  return {
    name,
    options: reason === undefined || demanded ? {} : { skip: reason },
    required() {
      if (demanded) throw new Error(`CONFLUX_TEST_REQUIRE=all, but ${reason}`);
    },
    compile: (directory, binary, sources) => compileWithClient(directory, binary, sources, flags),
    environment,
  };
}

/** The client as a component builds it. */
export function plainBuild(): CBuild {
  return build("plain build", cSkipReason(), [], {});
}

let sanitizerProbe: string | undefined | null = null;

/** Why the C compiler cannot build and run a program under ASan and UBSan here, or undefined when it can. */
export function sanitizerSkipReason(): string | undefined {
  if (sanitizerProbe !== null) return sanitizerProbe;
  sanitizerProbe = probeSanitizers();
  return sanitizerProbe;
}

function probeSanitizers(): string | undefined {
  const noCompiler = cSkipReason();
  if (noCompiler !== undefined) return noCompiler;
  const compiler = compilerCommand() as string;
  const directory = mkdtempSync(join(tmpdir(), "conflux-clients-"));
  try {
    const source = join(directory, "probe.c");
    writeFileSync(source, '#include <stdio.h>\nint main(void) { puts("sanitized"); return 0; }\n');
    const binary = join(directory, "probe");
    const built = spawnSync(compiler, [...SANITIZER_FLAGS, source, "-o", binary], { encoding: "utf8" });
    const ran =
      built.status === 0
        ? spawnSync(binary, [], { encoding: "utf8", env: { ...process.env, ...SANITIZER_ENVIRONMENT } })
        : undefined;
    return ran?.status === 0 && ran.stdout === "sanitized\n"
      ? undefined
      : `${compiler} cannot build and run a program with ${SANITIZER_FLAGS[0]} (${(built.status === 0 ? (ran?.stderr ?? "") : built.stderr).trim().split("\n")[0]}); on Debian the gcc package brings libasan and libubsan`;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** The client and the test program under AddressSanitizer and UndefinedBehaviorSanitizer. */
export function sanitizedBuild(): CBuild {
  return build("ASan+UBSan", sanitizerSkipReason(), SANITIZER_FLAGS, SANITIZER_ENVIRONMENT);
}
