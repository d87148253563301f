// The seed demonstration with its segments on a tmpfs too small for them (in
// a mount namespace of the test's own, so nothing of the machine changes): the
// run ends at creation with an error naming the segment, the bytes it needs,
// the bytes free and the fix, never with SIGBUS (tmpfs accepts an ftruncate it
// cannot back and fails the first write to a page it has no room for). Needs
// root for the private tmpfs (`unshare -m`, util-linux); `conflux doctor`.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { projectRoot } from "../support/child-process.ts";

function privateTmpfsSkip(): string | undefined {
  if (process.getuid?.() !== 0) return "needs root to mount a private tmpfs (unshare -m)";
  const probe = spawnSync("unshare", ["-m", "sh", "-c", "mount -t tmpfs -o size=64k probe /mnt"], { stdio: "ignore" });
  if (probe.error !== undefined) return "needs unshare (Debian package util-linux); see `conflux doctor`";
  return probe.status === 0 ? undefined : "cannot mount a tmpfs in a private mount namespace here";
}

const reason = privateTmpfsSkip();
const demanded = reason !== undefined && process.env.CONFLUX_TEST_REQUIRE === "all";
const options = reason === undefined || demanded ? {} : { skip: reason };

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** What the tmpfs held once the run had ended. */
  left: string;
}

/** `conflux run` of the seed demonstration with CONFLUX_SHM_ROOT on a private tmpfs of `size`. */
function runOnTmpfs(t: TestContext, size: string): Promise<Outcome> {
  if (demanded) throw new Error(`CONFLUX_TEST_REQUIRE=all, but this test ${reason}`);
  const scratch = mkdtempSync(join(tmpdir(), "conflux-cli-"));
  t.after(() => rmSync(scratch, { recursive: true, force: true }));
  const root = join(scratch, "shm");
  const script = [
    `mkdir "${root}" && mount -t tmpfs -o size=${size} conflux-test "${root}" || exit 99`,
    `CONFLUX_SHM_ROOT="${root}" "${process.execPath}" bin/conflux.js run examples/seed-dtk/conflux.yaml --iterations 5 --quiet --results "${join(scratch, "runs")}"`,
    "status=$?",
    `ls -A "${root}" >&3`,
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
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  return new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stderr, left })));
}

test("a tmpfs of 64 KiB: the registry does not fit, and the run says so when it creates it", options, async (t) => {
  const outcome = await runOnTmpfs(t, "64k");
  assert.equal(outcome.signal, null);
  assert.equal(outcome.code, 1, outcome.stderr);
  assert.match(
    outcome.stderr,
    /^conflux run: no room for segment "registry" \(65,856 bytes\) in \S+: [\d,]+ bytes are free\. Give it more room \(a larger \/dev\/shm: `mount -o remount,size=… \/dev\/shm`; in Docker, `--shm-size`, which is 64 MB unless set\), or point CONFLUX_SHM_ROOT at a larger tmpfs\.$/m,
  );
  assert.equal(outcome.left, "", "nothing is left on the tmpfs");
});

test(
  "a tmpfs of 128 KiB: a component's mesh does not fit; it fails naming it, and so does the run",
  options,
  async (t) => {
    const outcome = await runOnTmpfs(t, "128k");
    assert.equal(outcome.signal, null);
    assert.equal(outcome.code, 1, outcome.stderr);
    assert.match(
      outcome.stderr,
      /no room for segment "app[AB]\.mesh\.surface" \(120,832 bytes\) in \S+: [\d,]+ bytes are free/,
    );
    assert.match(
      outcome.stderr,
      /conflux run: component "app[AB]" \(process enclave, pid \d+\) exited with code 1 before it said hello during startup/,
    );
    assert.doesNotMatch(outcome.stderr, /SIGBUS|Bus error/);
    assert.equal(outcome.left, "", "nothing is left on the tmpfs");
  },
);
