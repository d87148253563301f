// The guest's part of noticing an end: from the component's exit in the guest
// to isAlive() false on the host (agent, arena word), with a C component whose
// own exit costs nothing; and the exit code and both output streams.
import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { native } from "../../../src/native/index.ts";
import { C_COMPILER, needs, VM } from "../../support/requirements.ts";
import { scratchRun } from "../../support/scratch-run.ts";
import { launchFor } from "../contract.ts";
import { guestFixture } from "./guest-programs.ts";

test(
  "isAlive() turns false once a C component in a guest exits by itself, with no event loop turn",
  needs(VM, C_COMPILER),
  async (t) => {
    const run = scratchRun(t);
    const word = run.createSegment("go", 64).int32(0, 1);
    const { enclave } = launchFor(t, "vm", {
      name: "leaver",
      command: [guestFixture("exit_on_go"), "go"],
      runDirectory: run.directory,
    });
    await enclave.start();
    while (Atomics.load(word, 0) !== 1) {
      assert.equal(enclave.hasExited(), false, enclave.output().stderr);
      await sleep(1);
    }
    const since = native.monotonicNs();
    Atomics.store(word, 0, 2);
    // Polled without yielding: the agent's arena word is all that can turn it false. How
    // soon is a figure for the benchmarks; the limit only ends a test that fails.
    let elapsed = 0;
    while (enclave.isAlive() && elapsed <= 5000) elapsed = (native.monotonicNs() - since) / 1e6;
    assert.ok(elapsed <= 5000, `isAlive() stayed true for over 5000 ms`);
    t.diagnostic(`isAlive() turned false ${elapsed.toFixed(1)} ms after the component was told to exit`);
    assert.deepEqual(await enclave.exited, { code: 0, signal: null, cause: "exit" });
  },
);

test(
  "a command in a guest: its exit code, its stdout and stderr apart, and what it ran on",
  needs(VM, C_COMPILER),
  async (t) => {
    const { enclave, sink } = launchFor(t, "vm", {
      name: "shell",
      command: ["sh", "-c", 'echo "out $(uname -r)"; echo err >&2; printf partial; exit 4'],
    });
    await enclave.start();
    assert.deepEqual(await enclave.exited, { code: 4, signal: null, cause: "exit" });
    const { stdout, stderr } = enclave.output();
    assert.match(stdout, /^out \S+\npartial$/);
    assert.equal(stderr, "err\n");
    assert.match(sink.text, /^\[shell\] err$/m);
    const description = enclave.describe() as ReturnType<typeof enclave.describe> & {
      vm: { accel: string; accelReason: string; guestKernel: string; image: { sha256: string }; bootMs: number };
    };
    assert.ok(["kvm", "tcg"].includes(description.vm.accel));
    assert.ok(description.vm.accelReason.length > 0);
    assert.equal(stdout.split("\n")[0], `out ${description.vm.guestKernel}`, "the guest's own kernel ran it");
    assert.match(description.vm.image.sha256, /^[0-9a-f]{64}$/);
    assert.ok(description.vm.bootMs > 0);
  },
);
