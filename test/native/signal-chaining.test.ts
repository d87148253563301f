// The addon's signal watch chains to the handler it replaced. Node's own
// exit-on-signal handler is installed with SA_RESETHAND and re-raises the
// signal to die of it; chained by hand, the kernel has reset nothing, so the
// watch must restore the default action first or the raise comes back to it
// for ever (a process with a waiting queue then spins on SIGTERM, never dying).
import assert from "node:assert/strict";
import { test } from "node:test";
import { startFixture } from "../support/child-process.ts";

// A child dies of its signal in milliseconds; 15 s is far past it on a loaded machine.
const DIES_WITHIN_MS = 15_000;

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  test(`a process that watches ${signal} and has no listener for it still dies of it`, async (t) => {
    const watcher = startFixture(t, "native/fixtures/signal-watcher.ts");
    assert.equal(await watcher.nextLine(), "watching");
    watcher.child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([
      watcher.exited,
      new Promise<"still running">((resolve) => {
        timer = setTimeout(() => resolve("still running"), DIES_WITHIN_MS);
      }),
    ]);
    clearTimeout(timer);
    assert.deepEqual(ended, { code: null, signal }, watcher.stderr());
  });
}
