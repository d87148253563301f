import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createEnclave } from "../../../src/enclave/create-enclave.ts";
import { native } from "../../../src/native/index.ts";
import { projectRoot } from "../../support/child-process.ts";
import { scratchRun } from "../../support/scratch-run.ts";
import { enclaveContract, fixture, launchFor } from "../contract.ts";

enclaveContract("thread");

test("thread enclave: runs in this process, in a worker with a thread id of its own", async (t) => {
  const { enclave, sink } = launchFor(t, "thread", { name: "inside", module: fixture("endless") });
  await enclave.start();
  await sink.waitFor(/looping/, enclave);
  assert.equal(enclave.pid, process.pid);
  assert.ok((enclave.threadId ?? 0) > 0);
  assert.equal(enclave.describe().threadId, enclave.threadId);
  enclave.kill();
  assert.equal((await enclave.exited).cause, "kill");
});

test("thread enclave: refuses a command and a working directory of its own, saying what to use instead", () => {
  assert.throws(
    () => createEnclave("thread", { name: "solver", command: ["lmp", "-in", "in.melt"], runDirectory: "/run" }),
    /component solver: enclave kind thread runs a module in a worker thread and cannot run the command lmp; use kind process/,
  );
  assert.throws(
    () => createEnclave("thread", { name: "solver", module: fixture("endless"), runDirectory: "/run", cwd: "/" }),
    /shares its process's working directory and cannot run in \/; use kind process/,
  );
});

test("thread enclave: stop() cannot end a thread blocked in a system call, says why, and it ends once the call returns", async (t) => {
  const run = scratchRun(t);
  const gate = run.createSegment("gate", 64);
  const words = gate.int32(0, 2);
  const { enclave } = launchFor(t, "thread", {
    name: "blocked",
    module: fixture("blocked"),
    runDirectory: run.directory,
    args: { segment: "gate" },
  });
  await enclave.start();
  while (Atomics.load(words, 1) !== 1) await sleep(5);
  // Word 1 is set just before the wait begins; give the thread time to enter it.
  await sleep(100);
  await assert.rejects(
    enclave.stop(300),
    /component blocked \(thread \d+\) did not end within 300 ms of terminate\(\): a thread blocked in a system call cannot be interrupted; run components that block without a timeout as kind process/,
  );
  assert.equal(enclave.hasExited(), false);
  Atomics.store(words, 0, 1);
  native.futexWake(gate.buffer, gate.payloadOffset, 1);
  const status = await enclave.exited;
  assert.equal(status.cause, "stop");
  assert.doesNotMatch(enclave.output().stdout, /woken/, "terminate took effect as soon as the call returned");
});

test("thread enclave: a supervisor started with --input-type=module runs its threads (and their output) too", async (t) => {
  // Its workers inherit the flag: their preludes must be code that is valid as a module as well.
  const script = `import { createEnclave } from "./src/enclave/create-enclave.ts";
    const enclave = createEnclave("thread", { name: "inside", module: ${JSON.stringify(fixture("chatter"))}, runDirectory: "/nonexistent-run", args: { lines: 2 } }, { output: null });
    await enclave.start();
    const status = await enclave.exited;
    console.log(JSON.stringify({ status, stdout: enclave.output().stdout }));`;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: projectRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  t.after(() => child.kill("SIGKILL"));
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const code = await new Promise((resolve) => child.once("exit", resolve));
  assert.equal(code, 0, stderr);
  const report = JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as { status: { code: number }; stdout: string };
  assert.equal(report.status.code, 0, stderr);
  assert.match(report.stdout, /^first line\n/);
});
