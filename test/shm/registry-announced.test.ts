// The registry's announced state (docs/wire-format.md, "Registry"): an
// announcement another registrant left behind — it died between announcing and
// publishing — blocks its name, and is reported by name; one at a lower index
// wins over a new registration at once.
import assert from "node:assert/strict";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import type { Run } from "../../src/shm/run.ts";
import { REGISTRY_FILE } from "../../src/shm/run-directory.ts";
import { Segment } from "../../src/shm/segment.ts";
import {
  ANNOUNCED_WAIT_MS,
  EntryOffset,
  EntryState,
  REGISTRY_ENTRY_SIZE,
  REGISTRY_TABLE_OFFSET,
} from "../../src/wire/registry.ts";
import { scratchRun } from "../support/scratch-run.ts";

/** Writes entry `index` of the run's registry by hand, as a registrant that stopped after announcing would leave it. */
function leaveAnnouncement(t: TestContext, run: Run, index: number, name: string, pid: number): void {
  const registry = Segment.open(join(run.directory, REGISTRY_FILE));
  t.after(() => registry.close());
  const base = registry.payloadOffset + REGISTRY_TABLE_OFFSET + index * REGISTRY_ENTRY_SIZE;
  const view = new DataView(registry.buffer, base, REGISTRY_ENTRY_SIZE);
  const bytes = new TextEncoder().encode(name);
  view.setUint32(EntryOffset.creatorPid, pid, true);
  view.setUint32(EntryOffset.nameLength, bytes.length, true);
  new Uint8Array(registry.buffer, base + EntryOffset.name, bytes.length).set(bytes);
  Atomics.store(new Int32Array(registry.buffer, base, 1), 0, EntryState.announced);
}

test("an announcement left at a higher index blocks its name, and the registrant says whose it is", (t) => {
  const run = scratchRun(t);
  leaveAnnouncement(t, run, 200, "blocked", 4321);
  const started = Date.now();
  assert.throws(
    () => run.createSegment("blocked", 8),
    new RegExp(
      `segment name "blocked": another registration of it \\(registry entry 200, pid 4321\\) has been announced for ${ANNOUNCED_WAIT_MS} ms without being published or withdrawn; its process may have died while registering`,
    ),
  );
  assert.ok(Date.now() - started >= ANNOUNCED_WAIT_MS, "it waited for the announcement to end");
  assert.deepEqual(
    run.segments().map((entry) => entry.name),
    [],
    "the loser's entry was released",
  );
  run.createSegment("other", 8);
});

test("an announcement at a lower index wins: a new registration of its name loses at once", (t) => {
  const run = scratchRun(t);
  leaveAnnouncement(t, run, 0, "first", 4321);
  const started = Date.now();
  assert.throws(
    () => run.createSegment("first", 8),
    /segment name "first" was registered concurrently by another process/,
  );
  assert.ok(Date.now() - started < ANNOUNCED_WAIT_MS);
});
