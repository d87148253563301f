// Progress of long commands besides stack builds, through the real command
// line: a VM image build's stages and a benchmark's measurements, as plain
// lines when stderr is a pipe, and as a bar the progress library redraws when
// it is a terminal (a pseudo-terminal util-linux's script opens).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { projectRoot } from "../support/child-process.ts";
import { BUSYBOX, GUEST_KERNEL, needs, SETPRIV } from "../support/requirements.ts";

const CLI = join(projectRoot, "bin/conflux.js");

/** A fresh cache, so the image is built, not found; removed at the end. */
function cache(t: TestContext): NodeJS.ProcessEnv {
  const directory = mkdtempSync(join(tmpdir(), "conflux-progress-"));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  return { ...process.env, XDG_CACHE_HOME: directory };
}

/** `args` of the command line with its stderr on a pseudo-terminal; what the terminal showed. */
function onTerminal(args: string[], env: NodeJS.ProcessEnv): { status: number | null; shown: string } {
  const command = [process.execPath, CLI, ...args].map((word) => `'${word}'`).join(" ");
  // script runs the command on a new terminal and copies what it shows to its stdout.
  const ran = spawnSync("script", ["-qefc", `${command} >/dev/null`, "/dev/null"], {
    encoding: "utf8",
    env: { ...env, COLUMNS: "160", TERM: "xterm" },
    timeout: 300_000,
  });
  return { status: ran.status, shown: ran.stdout };
}

test(
  "vm build: a line per stage when stderr is a pipe, a bar through the stages on a terminal",
  needs(BUSYBOX, GUEST_KERNEL, SETPRIV),
  (t) => {
    // A static program needs nothing else in the guest: the smallest image there is.
    const piped = spawnSync(process.execPath, [CLI, "vm", "build", "/bin/busybox"], {
      encoding: "utf8",
      env: cache(t),
      timeout: 300_000,
    });
    assert.equal(piped.status, 0, piped.stderr);
    assert.deepEqual(piped.stderr.trim().split("\n"), [
      "vm build: collecting the component's files (TypeScript compiled once, cached)",
      "vm build: the guest agent (compiled once, cached)",
      "vm build: the initramfs (found by its content, or written)",
    ]);
    assert.match(piped.stdout, /^image [0-9a-f]{12}: built/);

    const shown = onTerminal(["vm", "build", "/bin/busybox"], cache(t));
    assert.equal(shown.status, 0, shown.shown);
    // The library's bar, drawn at every stage (steps done against the total, then the stage at hand).
    assert.match(shown.shown, /vm build \[░+\] 0\/3 collecting the component's files/);
    assert.match(shown.shown, /vm build \[█+░+\] 1\/3 the guest agent/);
    assert.match(shown.shown, /vm build \[█+░+\] 2\/3 the initramfs/);
    assert.match(shown.shown, /vm build \[█+\] 3\/3 done/);
    assert.doesNotMatch(shown.shown, /^vm build: /m, "no plain lines on a terminal");
  },
);

test("a benchmark's measurements: measuring lines when stderr is a pipe, counted on a terminal", (t) => {
  const args = ["bench", "queue", "--iterations", "200"];
  const piped = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", env: cache(t), timeout: 300_000 });
  assert.equal(piped.status, 0, piped.stderr);
  const lines = piped.stderr.trim().split("\n");
  assert.ok(lines.length >= 3, piped.stderr);
  for (const line of lines) assert.match(line, /^measuring .+…$/);

  const shown = onTerminal(args, cache(t));
  assert.equal(shown.status, 0, shown.shown);
  assert.match(shown.shown, /bench queue 0 done, now /);
  assert.match(shown.shown, /bench queue \d+ done, now done \(\d+s\)/);
  assert.doesNotMatch(shown.shown, /^measuring /m);
});
