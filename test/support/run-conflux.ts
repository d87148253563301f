// Runs the conflux command line to its end, as a user would, for the tests of
// commands that print and exit.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { projectRoot } from "./child-process.ts";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `conflux args…` in `cwd`; after `timeoutMs` it is killed (code null). */
export function runConflux(args: readonly string[], cwd: string, timeoutMs: number): CliResult {
  const result = spawnSync(process.execPath, [join(projectRoot, "bin/conflux.js"), ...args], {
    cwd,
    encoding: "utf8",
    timeout: timeoutMs,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
