// The sources of the Conflux client a command component runs on, found the way
// the component finds them, so they are hashed among the run's inputs as a
// TypeScript component's SDK sources are (module-imports.ts), and a changed
// client is seen by `repro verify`:
// - a Python script that imports `conflux` loads conflux.py from its own
//   directory, PYTHONPATH (the component's, then the driver's) or, as the
//   examples do when run from a checkout, this package's clients/python;
// - a program that links the C client (its error names are in the binary) was
//   built from conflux.c and conflux.h; those this package ships are hashed,
//   as the examples and `pkg-config conflux` build against them.
import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { packagePath } from "../platform/package-root.ts";

const PYTHON_IMPORT = /^\s*(?:import\s+conflux\b|from\s+conflux\s+import\b)/m;
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

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isPythonScript(path: string): boolean {
  if (path.endsWith(".py")) return true;
  const start = head(path, 128).toString("latin1");
  return /^#!.*python/.test(start);
}

/** conflux.py as `script` would import it, or undefined when it imports no client (or none is found). */
function pythonClient(script: string, pythonPath: readonly string[], directory: string): string | undefined {
  if (!PYTHON_IMPORT.test(head(script, 1 << 20).toString("utf8"))) return undefined;
  const directories = [
    dirname(script),
    ...pythonPath
      .filter((entry) => entry !== "")
      .map((entry) => (isAbsolute(entry) ? entry : resolve(directory, entry))),
    packagePath("clients/python"),
  ];
  return directories.map((entry) => join(entry, "conflux.py")).find(isFile);
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
        const client = pythonClient(file, pythonPath, directory);
        if (client !== undefined) found.push(client);
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
