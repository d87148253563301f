// A tmpfs of a chosen size that only one command sees: `unshare -m` makes a
// private mount namespace (root only), the tmpfs is mounted there and vanishes
// with it, so nothing of the machine changes. For runs on a /dev/shm without room.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { projectRoot } from "./child-process.ts";

function skipReason(): string | undefined {
  if (process.getuid?.() !== 0) return "needs root to mount a private tmpfs (unshare -m)";
  const probe = spawnSync("unshare", ["-m", "sh", "-c", "mount -t tmpfs -o size=64k probe /mnt"], { stdio: "ignore" });
  if (probe.error !== undefined) return "needs unshare (Debian package util-linux); see `conflux doctor`";
  return probe.status === 0 ? undefined : "cannot mount a tmpfs in a private mount namespace here";
}

const reason = skipReason();
const demanded = reason !== undefined && process.env.CONFLUX_TEST_REQUIRE === "all";

/** node:test options: skipped, with the reason, where a private tmpfs cannot be had (unless CI demands it). */
export const privateTmpfsOptions: { skip?: string } = reason === undefined || demanded ? {} : { skip: reason };

export interface TmpfsOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** What the tmpfs held once the command had ended (`ls -A`). */
  left: string;
}

/**
 * Runs the shell `command` in the project's directory with a private tmpfs of `size` (e.g. "64k") mounted at
 * $SHM, and CONFLUX_SHM_ROOT set to it.
 */
export function runWithTmpfs(t: TestContext, size: string, command: string): Promise<TmpfsOutcome> {
  if (demanded) throw new Error(`CONFLUX_TEST_REQUIRE=all, but this test ${reason}`);
  const scratch = mkdtempSync(join(tmpdir(), "conflux-tmpfs-"));
  t.after(() => rmSync(scratch, { recursive: true, force: true }));
  const root = join(scratch, "shm");
  const script = [
    `SHM="${root}"; mkdir "$SHM" && mount -t tmpfs -o size=${size} conflux-test "$SHM" || exit 99`,
    `export CONFLUX_SHM_ROOT="$SHM" SCRATCH="${scratch}"`,
    command,
    "status=$?",
    'ls -A "$SHM" >&3',
    "exit $status",
  ].join("\n");
  const child = spawn("unshare", ["-m", "sh", "-c", script], {
    cwd: projectRoot,
    stdio: ["ignore", "ignore", "pipe", "pipe"],
  });
  let stderr = "";
  let left = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  (child.stdio[3] as NodeJS.ReadableStream).setEncoding("utf8").on("data", (chunk: string) => {
    left += chunk;
  });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  return new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stderr, left })));
}
