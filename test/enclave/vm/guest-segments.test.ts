// Shared memory across the VM boundary: a segment the host made before boot
// reaches the guest as its own device, a segment the guest makes with the
// client's ordinary call lives in the arena, and each side finds the other's by
// name through the registry.
import assert from "node:assert/strict";
import { test } from "node:test";
import { SegmentKind } from "../../../src/wire/segment-header.ts";
import { C_COMPILER, needs, VM } from "../../support/requirements.ts";
import { scratchRun } from "../../support/scratch-run.ts";
import { launchFor } from "../contract.ts";
import { guestFixture } from "./guest-programs.ts";

test(
  "a guest reads a host segment by name and creates one in its arena that the host opens by name",
  needs(VM, C_COMPILER),
  async (t) => {
    const run = scratchRun(t);
    run.createSegment("inbox", 64).float64(0, 1)[0] = 21.5;
    const { enclave, sink } = launchFor(t, "vm", {
      name: "guest",
      command: [guestFixture("guest_segments")],
      runDirectory: run.directory,
    });
    await enclave.start();
    assert.deepEqual(await enclave.exited, { code: 0, signal: null, cause: "exit" }, enclave.output().stderr);
    const arena = run.segments().find((entry) => entry.name === "guest.arena");
    assert.ok(arena, "the arena is registered in the run");
    assert.equal(arena.kind, SegmentKind.arena);
    const entry = run.segments().find((candidate) => candidate.name === "guest.outbox");
    assert.ok(entry);
    assert.equal(entry.file, arena.file, "the guest's segment lives in the arena file");
    assert.ok(entry.offset > 0 && entry.offset % 4096 === 0, `page-aligned offset ${entry.offset}`);
    const outbox = run.openSegment("guest.outbox");
    assert.equal(outbox.float64(0, 1)[0], 43);
    outbox.close();
    assert.match(
      sink.text,
      new RegExp(`outbox at ${run.directory}/${arena.file}\n`),
      "the client placed it in the arena",
    );
  },
);
