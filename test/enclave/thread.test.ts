import assert from "node:assert/strict";
import { test } from "node:test";
import { createEnclave } from "../../src/enclave/create-enclave.ts";
import { enclaveContract, fixture, launchFor } from "./contract.ts";

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
