// `conflux run` of a composition with a VM component shows the build of its
// image, on stderr, when the image is not stored: a line per piece of work
// when stderr is a pipe, a bar on a terminal (a pseudo-terminal util-linux's
// script opens); once the image is stored, the run says nothing of it. Each
// build is in a fresh image cache of its own, as the vm build progress test
// makes one, and the C appA is the smallest image that couples.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { IMAGE_CACHE_VARIABLE } from "../../src/enclave/vm/image/guest-image.ts";
import { guestProgram } from "../../src/enclave/vm/image/guest-program.ts";
import { projectRoot, runToEnd, startCli } from "../support/child-process.ts";
import { scratchDirectory } from "../support/cli-scratch.ts";
import { C_COMPILER, needs, SETPRIV, VM } from "../support/requirements.ts";

const APP_A = join(projectRoot, "examples/c-component/app_a.c");
const APP_B = join(projectRoot, "examples/seed-dtk/app-b.ts");
const CLI = join(projectRoot, "bin/conflux.js");
const IMAGE_LINE = /^vm image for /;

/** An image cache of its own, empty, so the run builds the image; removed at the end. */
function freshImageCache(t: TestContext): string {
  const directory = mkdtempSync(join(tmpdir(), "conflux-run-image-"));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

/** The seed's appA in C in a VM with appB in a process, for 3 iterations on 200 points. */
function composition(directory: string): string {
  const mesh = "      surface: { dimension: 3, points: 200, fields: [temperature, flux] }";
  const file = join(directory, "vm-seed.yaml");
  writeFileSync(
    file,
    [
      "version: 1",
      "name: vm-image-progress",
      "components:",
      "  appA:",
      "    enclave: { kind: vm }",
      `    command: [${guestProgram("app_a", [APP_A])}]`,
      "    args: { points: 200, seed: 1, sweeps: 1 }",
      "    meshes:",
      mesh,
      "  appB:",
      "    enclave: { kind: process }",
      `    module: ${APP_B}`,
      "    args: { points: 200, seed: 2, sweeps: 1 }",
      "    meshes:",
      mesh,
      "transfers:",
      "  - { from: appA.surface.temperature, to: appB.surface.temperature, operator: { method: nearest } }",
      "  - { from: appB.surface.flux, to: appA.surface.flux, operator: { method: nearest } }",
      "coupling:",
      "  iterations: 3",
      "  order: [appA, appB]",
      // Not a measure of anything: a guest under emulation on a busy machine may take long to say hello.
      "  timeouts: { startup_ms: 600000, step_ms: 120000 }",
      "",
    ].join("\n"),
  );
  return file;
}

test(
  "conflux run shows its VM image's build on stderr, a line per piece of work, and nothing once the image is stored",
  needs(VM, C_COMPILER),
  async (t) => {
    const directory = scratchDirectory(t);
    const file = composition(directory);
    const cache = freshImageCache(t);
    const run = () =>
      runToEnd(startCli(t, ["run", file, "--results", join(directory, "runs")], { [IMAGE_CACHE_VARIABLE]: cache }));
    const first = await run();
    assert.equal(first.code, 0, first.stderr);
    // A command has no TypeScript to compile: the agent and the initramfs are what an empty cache lacks.
    assert.deepEqual(
      first.stderr.split("\n").filter((line) => IMAGE_LINE.test(line)),
      ["vm image for appA: compiling the guest agent", "vm image for appA: writing the initramfs"],
      first.stderr,
    );
    assert.match(first.stdout, /completed/);
    const second = await run();
    assert.equal(second.code, 0, second.stderr);
    assert.doesNotMatch(second.stderr, /vm image/, "the stored image is used without a word");
  },
);

test(
  "on a terminal, conflux run's VM image build is a counter the progress library redraws",
  needs(VM, C_COMPILER, SETPRIV),
  (t) => {
    const directory = scratchDirectory(t);
    const file = composition(directory);
    const command = [process.execPath, CLI, "run", file, "--results", join(directory, "runs")]
      .map((word) => `'${word}'`)
      .join(" ");
    // script runs the command on a new terminal and copies what it shows to its stdout.
    const ran = spawnSync("script", ["-qefc", `${command} >/dev/null`, "/dev/null"], {
      encoding: "utf8",
      env: { ...process.env, [IMAGE_CACHE_VARIABLE]: freshImageCache(t), COLUMNS: "160", TERM: "xterm" },
      timeout: 600_000,
    });
    assert.equal(ran.status, 0, ran.stdout);
    assert.match(ran.stdout, /vm image for appA 0 done, now compiling the guest agent/);
    assert.match(ran.stdout, /vm image for appA 1 done, now writing the initramfs/);
    assert.match(ran.stdout, /vm image for appA 2 done, now done/);
    assert.doesNotMatch(ran.stdout, /^vm image for appA: /m, "no plain lines on a terminal");
  },
);
