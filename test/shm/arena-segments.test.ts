// Segments created by a component whose environment names an arena
// (CONFLUX_ARENA, as a VM enclave sets it) go inside the arena, page aligned
// and registered as (arena file, offset, length), from TypeScript and from the
// C client alike; the other side opens them by name as usual. Run here on the
// host, where an arena is just a file; test/enclave/vm runs the same through a guest.
import assert from "node:assert/strict";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { Arena, arenaFileName } from "../../src/enclave/vm/guest/arena.ts";
import { Run } from "../../src/shm/run.ts";
import { SegmentKind } from "../../src/wire/segment-header.ts";
import { startProgram } from "../clients/programs.ts";
import { compileWithClient, pythonCommand, pythonEnvironment, scratchDirectory } from "../clients/toolchain.ts";
import { C_COMPILER, needs, PYTHON } from "../support/requirements.ts";
import { scratchRun } from "../support/scratch-run.ts";

const ARENA_BYTES = 64 * 1024;

/** An arena in `run`, registered as "<component>.arena", as the VM enclave makes one. */
function arenaIn(t: TestContext, run: Run, component: string): string {
  const file = arenaFileName();
  const arena = Arena.create({
    directory: run.directory,
    fileName: file,
    name: `${component}.arena`,
    runId: run.id,
    sizeBytes: ARENA_BYTES,
    launch: new Uint8Array(16),
  });
  t.after(() => arena.close());
  run.registry.register({
    name: `${component}.arena`,
    file,
    offset: 0,
    length: ARENA_BYTES,
    kind: SegmentKind.arena,
    creatorPid: process.pid,
  });
  return file;
}

function memberOf(t: TestContext, run: Run, arena: string): Run {
  const member = Run.fromEnvironment({ CONFLUX_RUN_DIR: run.directory, CONFLUX_ARENA: arena });
  t.after(() => member.close());
  return member;
}

test("a TypeScript component's segments go in its arena, page aligned, and never overlap", (t) => {
  const run = scratchRun(t);
  const file = arenaIn(t, run, "guest");
  const member = memberOf(t, run, "guest.arena");
  const first = member.createSegment("guest.first", 5000);
  const second = member.createSegment("guest.second", 100);
  first.float64(0, 625).fill(1.5);
  second.float64(0, 1)[0] = 7;
  const entries = new Map(run.segments().map((entry) => [entry.name, entry]));
  const [a, b] = [entries.get("guest.first"), entries.get("guest.second")];
  assert.ok(a !== undefined && b !== undefined);
  assert.equal(a.file, file);
  assert.equal(b.file, file);
  for (const entry of [a, b]) assert.equal(entry.offset % 4096, 0, `${entry.name} at ${entry.offset}`);
  assert.ok(b.offset >= a.offset + a.length, "the second starts after the first ends");
  const seen = run.openSegment("guest.first");
  assert.deepEqual([...new Set(seen.float64(0, 625))], [1.5]);
  assert.equal(run.openSegment("guest.second").float64(0, 1)[0], 7);
  seen.close();
  member.removeSegment(second);
  assert.equal(run.registry.lookup("guest.second"), undefined);
  assert.ok(
    run.segments().some((entry) => entry.name === "guest.arena"),
    "removing a segment keeps the arena",
  );
});

test("an arena that is full, a size or name no segment can have, or an arena the run does not have, is refused", (t) => {
  const run = scratchRun(t);
  arenaIn(t, run, "small");
  const member = memberOf(t, run, "small.arena");
  assert.throws(
    () => member.createSegment("small.huge", ARENA_BYTES),
    /free pages, segment "small.huge" needs \d+; give the VM a larger arena/,
  );
  for (const size of [Number.NaN, -1, 1.5]) {
    assert.throws(() => member.createSegment("small.bad", size), /payload size must be a whole number of bytes/);
  }
  assert.throws(() => member.createSegment("x".repeat(200), 64), /segment name "x+" must be 1 to 96 bytes/);
  const fits = member.createSegment("small.fits", 64);
  fits.float64(0, 1)[0] = 3;
  const arena = run.openSegment("small.arena");
  assert.equal(arena.header.kind, SegmentKind.arena, "refused sizes left the arena's header alone");
  assert.ok((run.registry.lookup("small.fits")?.offset ?? 0) > 0, "and did not turn its cursor back");
  arena.close();
  const lost = memberOf(t, run, "elsewhere.arena");
  assert.throws(
    () => lost.createSegment("lost.box", 64),
    /CONFLUX_ARENA names arena "elsewhere.arena", which run \w+ does not have: run this component in a vm enclave/,
  );
});

test("the C client creates its segments in the arena too, across processes", needs(C_COMPILER), async (t) => {
  const run = scratchRun(t);
  const file = arenaIn(t, run, "guest");
  run.createSegment("inbox", 64).float64(0, 1)[0] = 21.5;
  const binary = compileWithClient(scratchDirectory(t), "guest_segments", [
    "test/enclave/vm/fixtures/guest_segments.c",
  ]);
  const program = startProgram(t, [binary], {
    CONFLUX_RUN_DIR: run.directory,
    CONFLUX_COMPONENT_NAME: "guest",
    CONFLUX_ARENA: "guest.arena",
  });
  assert.equal((await program.exited).code, 0, program.stderr());
  assert.equal(program.stdout(), `outbox at ${join(run.directory, file)}\n`);
  const entry = run.registry.lookup("guest.outbox");
  assert.equal(entry?.file, file);
  const outbox = run.openSegment("guest.outbox");
  assert.equal(outbox.float64(0, 1)[0], 43);
  outbox.close();
});

const python = pythonCommand();
test("the Python client creates its segments in the arena too, across processes", needs(PYTHON), async (t) => {
  const run = scratchRun(t);
  const file = arenaIn(t, run, "guest");
  const script = [
    "import struct, conflux",
    "run = conflux.Run.from_environment()",
    'box = run.create_segment("guest.pybox", 64)',
    "struct.pack_into('<d', box.memory.view, box.payload_offset, 6.25)",
    "try:",
    '    run.create_segment("guest.bad", -1)',
    "except ValueError as error:",
    "    print(error)",
    "print(box.path)",
  ].join("\n");
  const program = startProgram(t, [python as string, "-c", script], {
    ...pythonEnvironment(),
    CONFLUX_RUN_DIR: run.directory,
    CONFLUX_ARENA: "guest.arena",
  });
  assert.equal((await program.exited).code, 0, program.stderr());
  assert.match(program.stdout(), /payload size must be a whole number of bytes >= 0, got -1/);
  const entry = run.registry.lookup("guest.pybox");
  assert.equal(entry?.file, file);
  assert.ok((entry?.offset ?? 0) > 0 && (entry?.offset ?? 1) % 4096 === 0);
  const box = run.openSegment("guest.pybox");
  assert.equal(box.float64(0, 1)[0], 6.25);
  box.close();
});
