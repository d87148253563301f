import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { scratchRun } from "../../support/scratch-run.ts";
import { enclaveContract, fixture, launchFor } from "../contract.ts";

enclaveContract("process");

test("process enclave: runs a command, with its exit code and output", async (t) => {
  const { enclave, sink } = launchFor(t, "process", {
    name: "shell",
    command: ["sh", "-c", 'echo "run in $CONFLUX_RUN_DIR"; echo oops >&2; exit 4'],
    runDirectory: "/nonexistent-run",
  });
  await enclave.start();
  assert.notEqual(enclave.pid, process.pid);
  assert.deepEqual(await enclave.exited, { code: 4, signal: null, cause: "exit" });
  assert.equal(enclave.output().stdout, "run in /nonexistent-run\n");
  assert.equal(enclave.output().stderr, "oops\n");
  assert.match(sink.text, /^\[shell\] oops$/m);
  assert.equal(enclave.describe().node, undefined, "a command is not a Node.js component");
});

test("process enclave: a command that is not on PATH makes start() reject, naming it", async (t) => {
  const { enclave } = launchFor(t, "process", { name: "absent", command: ["conflux-no-such-solver", "-v"] });
  await assert.rejects(
    enclave.start(),
    /component absent: command conflux-no-such-solver is not an executable on PATH/,
  );
  assert.equal((await enclave.exited).cause, "launch");
});

test("process enclave: stop() sends SIGTERM, which ends a component that does not handle it", async (t) => {
  const { enclave, sink } = launchFor(t, "process", { name: "obedient", module: fixture("endless") });
  await enclave.start();
  await sink.waitFor(/looping/, enclave);
  assert.deepEqual(await enclave.stop(60_000), { code: null, signal: "SIGTERM", cause: "stop" });
});

test("process enclave: stop() follows an ignored SIGTERM with SIGKILL after the grace period", async (t) => {
  const { enclave, sink } = launchFor(t, "process", {
    name: "stubborn",
    module: fixture("endless"),
    args: { ignoreSigterm: true },
  });
  await enclave.start();
  await sink.waitFor(/looping/, enclave);
  assert.deepEqual(await enclave.stop(300), { code: null, signal: "SIGKILL", cause: "stop" });
  assert.match(enclave.output().stdout, /SIGTERM ignored/, "it was asked first");
});

test("process enclave: a signal from elsewhere is reported as such", async (t) => {
  const { enclave, sink } = launchFor(t, "process", { name: "target", module: fixture("endless") });
  await enclave.start();
  await sink.waitFor(/looping/, enclave);
  process.kill(enclave.pid, "SIGKILL");
  assert.deepEqual(await enclave.exited, { code: null, signal: "SIGKILL", cause: "signal" });
});

test("process enclave: stop() ends a component blocked in a system call", async (t) => {
  const run = scratchRun(t);
  const words = run.createSegment("gate", 64).int32(0, 2);
  const { enclave } = launchFor(t, "process", {
    name: "blocked",
    module: fixture("blocked"),
    runDirectory: run.directory,
    args: { segment: "gate" },
  });
  await enclave.start();
  while (Atomics.load(words, 1) !== 1) {
    assert.equal(enclave.hasExited(), false, enclave.output().stderr);
    await sleep(5);
  }
  assert.deepEqual(await enclave.stop(60_000), { code: null, signal: "SIGTERM", cause: "stop" });
});
