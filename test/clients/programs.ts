// Starts a program in another language as a child process; it is killed when
// its test ends, even when the test fails, so no test leaves a process behind.
import { type ChildProcess, spawn } from "node:child_process";
import type { TestContext } from "node:test";
import { projectRoot } from "../support/child-process.ts";

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Program {
  child: ChildProcess;
  exited: Promise<ExitStatus>;
  stdout(): string;
  stderr(): string;
}

export function startProgram(
  t: TestContext,
  command: string[],
  environment: Record<string, string | undefined> = {},
): Program {
  const [file = "", ...args] = command;
  const child = spawn(file, args, {
    cwd: projectRoot,
    env: { ...process.env, ...environment },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let errors = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    errors += chunk;
  });
  const exited = new Promise<ExitStatus>((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal }));
  });
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
  });
  return { child, exited, stdout: () => out, stderr: () => errors };
}
