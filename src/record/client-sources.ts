// The sources of the Conflux client a command component runs on, found the way
// the component finds them, so they are hashed among the run's inputs as a
// TypeScript component's SDK sources are (module-imports.ts), and a changed
// client is seen by `repro verify`:
// - a Python script that imports `conflux` loads the package conflux/ (or a
//   single conflux.py) from its own directory, PYTHONPATH (the component's,
//   then the driver's) or this package's clients/python, which `conflux run`
//   puts last on a command's PYTHONPATH; every module of the package is hashed, its
//   adapters with it, since the script may import any of them;
// - a program that links the C client (its error names are in the binary) was
//   built from conflux.c and conflux.h; those this package ships are hashed,
//   as the examples and `pkg-config conflux` build against them.
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { packagePath } from "../platform/package-root.ts";
import { isFile } from "../platform/path-kind.ts";

const PYTHON_IMPORT = /^\s*(?:import\s+conflux\b|from\s+conflux(?:\.\w+)?\s+import\b)/m;
/** Bytes every program linking the C client holds: cfx_error_name()'s table. */
const C_CLIENT_MARK = Buffer.from("CFX_ERR_TRUNCATED");
const SCAN_LIMIT_BYTES = 256 * 1024 * 1024;

function head(path: string, bytes: number): Buffer {
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.alloc(bytes);
    return buffer.subarray(0, readSync(fd, buffer, 0, bytes, 0));
  } finally {
    closeSync(fd);
  }
}

function isPythonScript(path: string): boolean {
  if (path.endsWith(".py")) return true;
  const start = head(path, 128).toString("latin1");
  return /^#!.*python/.test(start);
}

/** The modules of the package conflux/ in `directory`, or its single conflux.py; empty when neither is there. */
function clientModulesIn(directory: string): string[] {
  const packageDirectory = join(directory, "conflux");
  if (isFile(join(packageDirectory, "__init__.py"))) {
    return readdirSync(packageDirectory)
      .filter((name) => name.endsWith(".py"))
      .sort()
      .map((name) => join(packageDirectory, name))
      .filter(isFile);
  }
  const single = join(directory, "conflux.py");
  return isFile(single) ? [single] : [];
}

/** The client's modules as `script` would import them: empty when it imports no client (or none is found). */
function pythonClient(script: string, pythonPath: readonly string[], directory: string): string[] {
  if (!PYTHON_IMPORT.test(head(script, 1 << 20).toString("utf8"))) return [];
  const directories = [
    dirname(script),
    ...pythonPath
      .filter((entry) => entry !== "")
      .map((entry) => (isAbsolute(entry) ? entry : resolve(directory, entry))),
    packagePath("clients/python"),
  ];
  for (const entry of directories) {
    const modules = clientModulesIn(entry);
    if (modules.length > 0) return modules;
  }
  return [];
}

/** Whether the ELF `program` carries the C client (its error names). */
function linksCClient(program: string): boolean {
  const size = statSync(program).size;
  if (size > SCAN_LIMIT_BYTES) return false;
  const start = head(program, 4);
  if (start.toString("latin1") !== "\x7fELF") return false;
  return head(program, size).includes(C_CLIENT_MARK);
}

/**
 * The client sources of a command component whose program and arguments are
 * `files` (absolute, existing), run with `environment` in `directory`.
 */
export function clientSources(
  files: readonly string[],
  environment: Record<string, string | undefined>,
  directory: string,
): string[] {
  const pythonPath = [
    ...(environment.PYTHONPATH ?? "").split(delimiter),
    ...(process.env.PYTHONPATH ?? "").split(delimiter),
  ];
  const found: string[] = [];
  for (const file of files) {
    try {
      if (isPythonScript(file)) {
        found.push(...pythonClient(file, pythonPath, directory));
      } else if (linksCClient(file)) {
        for (const source of ["clients/c/conflux.c", "clients/c/conflux.h"]) {
          if (existsSync(packagePath(source))) found.push(packagePath(source));
        }
      }
    } catch {
      // unreadable: it is recorded as such among the inputs already
    }
  }
  return [...new Set(found)];
}
