// A guest that dies (its kernel panics) or hangs (it panics and stays down) is
// reported as such, with the kernel's console, and leaves nothing running.
import assert from "node:assert/strict";
import { test } from "node:test";
import { native } from "../../../src/native/index.ts";
import { needs, VM } from "../../support/requirements.ts";
import { launchFor } from "../contract.ts";

test("a guest whose kernel dies is reported with its console, and QEMU is gone", needs(VM), async (t) => {
  const { enclave } = launchFor(t, "vm", { name: "crasher", command: ["sh", "-c", "echo c > /proc/sysrq-trigger"] });
  // The kernel may die before the agent's report that the component started leaves the guest: then start
  // itself fails, with the same account of the end.
  const failedStart = await enclave.start().then(
    () => undefined,
    (error: Error) => error,
  );
  const status = await enclave.exited;
  if (failedStart !== undefined) {
    assert.match(failedStart.message, /component crasher \(vm\): the guest ended .* before its agent reported/);
  }
  assert.equal(status.cause, "exit");
  assert.equal(status.code, null);
  assert.match(
    status.error ?? "",
    /component crasher \(vm\): the guest ended .* before its agent reported the component's end/,
  );
  assert.match(status.error ?? "", /sysrq|Kernel panic/i, "the kernel console is in the report");
  assert.equal(native.isAlive(enclave.pid), false);
});

test("a guest that hangs is noticed by its missing heartbeat, reported and ended", needs(VM), async (t) => {
  const launch = {
    name: "hanger",
    // panic=0: the panicked kernel waits forever instead of rebooting.
    command: ["sh", "-c", "echo 0 > /proc/sys/kernel/panic; echo c > /proc/sysrq-trigger"],
    vm: { hangMs: 2000 },
  };
  const { enclave } = launchFor(t, "vm", launch);
  await enclave.start();
  const status = await enclave.exited;
  assert.equal(status.cause, "exit");
  assert.match(status.error ?? "", /component hanger \(vm\): the guest hangs: its agent has not beaten for 2000 ms/);
  assert.equal(native.isAlive(enclave.pid), false);
  assert.equal(enclave.isAlive(), false);
});
