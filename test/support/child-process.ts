// Starts a TypeScript fixture in a real child process and talks to it line by
// line over stdio. Every child started here is killed when its test ends, even
// when the test fails, so no test leaves a process behind.
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { TestContext } from "node:test";
import { fileURLToPath } from "node:url";

export const projectRoot = fileURLToPath(new URL("../..", import.meta.url));

export interface Fixture {
  child: ChildProcess;
  /** Resolves with the next line the child prints to stdout; rejects after `timeoutMs` (20 s; Infinity: never). */
  nextLine(timeoutMs?: number): Promise<string>;
  /** Resolves when the child exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

/** Runs test/<path> (a .ts file) with `args`, killed at the end of `t`. */
export function startFixture(
  t: TestContext,
  path: string,
  args: string[] = [],
  environment: NodeJS.ProcessEnv = {},
): Fixture {
  const script = fileURLToPath(new URL(`../${path}`, import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    cwd: projectRoot,
    env: { ...process.env, ...environment },
    stdio: ["pipe", "pipe", "pipe"],
  });
  return track(t, child);
}

/** Runs the conflux command line in a child process. */
export function startCli(t: TestContext, args: string[], environment: NodeJS.ProcessEnv = {}): Fixture {
  const child = spawn(process.execPath, [`${projectRoot}/bin/conflux.js`, ...args], {
    cwd: projectRoot,
    env: { ...process.env, ...environment },
    stdio: ["pipe", "pipe", "pipe"],
  });
  return track(t, child);
}

function track(t: TestContext, child: ChildProcess): Fixture {
  let errors = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    errors += chunk;
  });
  const lines: string[] = [];
  const waiters: ((line: string | undefined) => void)[] = [];
  let closed = false;
  const reader = createInterface({ input: child.stdout as NonNullable<ChildProcess["stdout"]> });
  reader.on("line", (line) => {
    const waiter = waiters.shift();
    if (waiter) waiter(line);
    else lines.push(line);
  });
  reader.on("close", () => {
    closed = true;
    for (const waiter of waiters.splice(0)) waiter(undefined);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("exit", (code, signal) => resolve({ code, signal }));
  });
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited;
    }
  });
  return {
    child,
    exited,
    stderr: () => errors,
    nextLine(timeoutMs = 20_000) {
      const queued = lines.shift();
      if (queued !== undefined) return Promise.resolve(queued);
      if (closed) return Promise.reject(new Error(`child exited without printing a line; stderr: ${errors}`));
      return new Promise((resolve, reject) => {
        const timer = Number.isFinite(timeoutMs)
          ? setTimeout(
              () => reject(new Error(`no line from child within ${Math.round(timeoutMs)} ms; stderr: ${errors}`)),
              timeoutMs,
            )
          : undefined;
        waiters.push((line) => {
          clearTimeout(timer);
          if (line === undefined) reject(new Error(`child exited without printing a line; stderr: ${errors}`));
          else resolve(line);
        });
      });
    },
  };
}

/** Collects a finished child's whole stdout. */
export async function runToEnd(
  fixture: Fixture,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const out: string[] = [];
  const collecting = (async () => {
    for (;;) {
      try {
        out.push(await fixture.nextLine(60_000));
      } catch {
        return;
      }
    }
  })();
  const status = await fixture.exited;
  await collecting;
  return { ...status, stdout: out.join("\n"), stderr: fixture.stderr() };
}

/** Everything a command prints before it exits, with no timeout per line (a bench prints one document at its end). */
export async function outputOf(fixture: Fixture): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = "";
  fixture.child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  const { code } = await fixture.exited;
  return { code, stdout, stderr: fixture.stderr() };
}
