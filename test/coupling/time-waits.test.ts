// The driver's side of a window attempt (announce it, then wait for the
// component's checkpointed or restored and its done, checking each) allocates
// nothing and throws nothing when the component keeps the protocol: measured
// over many attempts against a real component process that answers at once.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { ComponentLink, WindowAttempt } from "../../src/coupling/component-link.ts";
import { WindowFlag } from "../../src/wire/protocol.ts";
import { startProgram } from "../clients/programs.ts";
import { scratchRun } from "../support/scratch-run.ts";
import { heapGrowthPerCall } from "./acceleration/heap-growth.ts";

const ECHO = fileURLToPath(new URL("./fixtures/time-echo.ts", import.meta.url));

test("an attempt's round trip through the driver's link allocates nothing", async (t) => {
  const run = scratchRun(t);
  const link = new ComponentLink(run, "echo", {
    timed: true,
    description: 'component "echo"',
    wait: { kind: "spin", timeoutNs: 30e9 },
  });
  t.after(() => link.close());
  const program = startProgram(t, [process.execPath, "--import", "tsx", ECHO], {
    CONFLUX_RUN_DIR: run.directory,
    CONFLUX_COMPONENT_NAME: "echo",
    CONFLUX_COMPONENT_ARGS: "{}",
  });
  const deadline = Date.now() + 30_000;
  while (!link.pollHello()) {
    assert.ok(Date.now() < deadline, `the echo component did not say hello: ${program.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  link.acknowledge();
  const attempt = new WindowAttempt();
  attempt.size = 0.01;
  attempt.runEnd = Number.POSITIVE_INFINITY;
  attempt.maxSubsteps = 10;
  let window = 0;
  let iteration = 0;
  const roundTrip = () => {
    // Three attempts a window: a checkpoint written, then two repeats restoring it.
    attempt.window = window;
    attempt.iteration = iteration;
    attempt.start = window * 0.01;
    attempt.flags = iteration === 0 ? WindowFlag.writeCheckpoint : WindowFlag.readCheckpoint;
    link.sendWindow(attempt);
    link.awaitAttempt(attempt, 10e9);
    if (++iteration === 3) {
      iteration = 0;
      window++;
    }
  };
  const growth = await heapGrowthPerCall(roundTrip, 20_000, 2_000);
  assert.ok(growth < 8, `the heap grew ${growth} bytes per attempt`);
  assert.ok(Math.abs(attempt.doneTime - (attempt.start + 0.01)) < 1e-12);
  link.stop(10e9);
  assert.deepEqual(await program.exited, { code: 0, signal: null }, program.stderr());
});
