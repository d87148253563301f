import assert from "node:assert/strict";
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { native } from "../../src/native/index.ts";
import { Segment } from "../../src/shm/segment.ts";
import {
  HEADER_SIZE,
  HeaderOffset,
  SEGMENT_MAGIC,
  SegmentHeaderError,
  SegmentKind,
} from "../../src/wire/segment-header.ts";
import { startFixture } from "../support/child-process.ts";
import { scratchRun } from "../support/scratch-run.ts";

test("a child process opens a segment by name and both sides see each other's writes", async (t) => {
  const run = scratchRun(t);
  const segment = run.createSegment("shared", 3 * 8);
  const values = segment.float64(0, 3);
  values[0] = 3.25;
  const peer = startFixture(t, "shm/fixtures/segment-peer.ts", [run.directory, "shared"]);
  assert.equal(await peer.nextLine(), "read 3.25");
  assert.equal(await peer.nextLine(), "wrote");
  assert.equal(values[1], 42.5);
  values[2] = -7;
  peer.child.stdin?.write("again\n");
  assert.equal(await peer.nextLine(), "read -7");
  assert.deepEqual(await peer.exited, { code: 0, signal: null });
});

test("segment files and the run directory are private to the user", (t) => {
  const run = scratchRun(t);
  const segment = run.createSegment("private", 64);
  assert.equal(statSync(segment.path).mode & 0o777, 0o600);
  assert.equal(statSync(run.directory).mode & 0o777, 0o700);
  assert.match(segment.path, /\/seg-[0-9a-f]{12}$/, "file names are random, not the segment name");
});

test("the header records what the wire format says", (t) => {
  const run = scratchRun(t);
  const segment = run.createSegment("described", 100, SegmentKind.mesh);
  const reopened = Segment.open(segment.path);
  t.after(() => reopened.close());
  assert.equal(reopened.header.name, "described");
  assert.equal(reopened.header.payloadSize, 100);
  assert.equal(reopened.header.kind, SegmentKind.mesh);
  assert.equal(reopened.header.runId, run.id);
  assert.equal(reopened.header.creatorPid, process.pid);
  assert.equal(reopened.header.layoutVersion, 1);
  assert.equal(reopened.payloadOffset % 64, 0);
});

// A bad segment is a file in the run directory whose bytes the test corrupts.
function corrupted(t: TestContext, change: (bytes: Buffer) => Buffer): string {
  const run = scratchRun(t);
  const segment = run.createSegment("victim", 64);
  const bytes = Buffer.from(new Uint8Array(segment.buffer).slice());
  segment.close();
  const path = join(run.directory, "corrupted");
  writeFileSync(path, change(bytes), { mode: 0o600 });
  return path;
}

function rejects(path: string, problem: string, message: RegExp, expect = {}): void {
  assert.throws(
    () => Segment.open(path, expect),
    (error: unknown) => {
      assert.ok(error instanceof SegmentHeaderError, `expected a SegmentHeaderError, got ${String(error)}`);
      assert.equal(error.problem, problem);
      assert.match(error.message, message);
      assert.ok(error.message.includes(path), "the message names the segment");
      return true;
    },
  );
}

test("a foreign file is rejected as not a conflux segment", (t) => {
  const path = corrupted(t, (bytes) => {
    bytes.write("#!/bin/sh", 0);
    return bytes;
  });
  rejects(path, "foreign", /not a conflux segment \(magic 0x/);
});

test("a file too short for a header is rejected as truncated", (t) => {
  rejects(
    corrupted(t, (bytes) => bytes.subarray(0, 6)),
    "truncated",
    /truncated: 6 bytes, too short/,
  );
  rejects(
    corrupted(t, (bytes) => bytes.subarray(0, 100)),
    "truncated",
    /truncated: 100 bytes, shorter than its 256-byte header/,
  );
});

test("a payload shorter than the header announces is rejected as truncated", (t) => {
  rejects(
    corrupted(t, (bytes) => bytes.subarray(0, HEADER_SIZE + 10)),
    "truncated",
    /announces 64 payload bytes but only 10 are there/,
  );
});

test("another layout version is rejected and named", (t) => {
  const path = corrupted(t, (bytes) => {
    bytes.writeUInt32LE(7, HeaderOffset.layoutVersion);
    return bytes;
  });
  rejects(path, "version", /layout version 7, but this conflux reads version 1/);
});

test("a segment in the other byte order is rejected as such", (t) => {
  const path = corrupted(t, (bytes) => {
    bytes.writeUInt32BE(SEGMENT_MAGIC, HeaderOffset.magic);
    bytes.writeUInt32BE(0x01020304, HeaderOffset.byteOrder);
    return bytes;
  });
  rejects(path, "byte-order", /other byte order/);
});

test("a segment of another kind or another run is refused when the reader says what it expects", (t) => {
  const run = scratchRun(t);
  const segment = run.createSegment("plain", 64);
  rejects(segment.path, "kind", /holds a raw, not a ring/, { kind: SegmentKind.ring });
  rejects(segment.path, "run", /belongs to run [0-9a-f]{16}, not to run 0000000000000000/, {
    runId: "0000000000000000",
  });
});

test("a missing segment is reported as such, not as a bare ENOENT", (t) => {
  const run = scratchRun(t);
  assert.throws(
    () => Segment.open(join(run.directory, "nope")),
    /does not exist: its run has ended or the name is wrong/,
  );
  assert.throws(() => run.openSegment("nope"), /no segment named "nope" in run [0-9a-f]+; registered: none/);
});

test("native errors carry the errno name and the segment path", (t) => {
  const run = scratchRun(t);
  const segment = run.createSegment("exists", 8);
  assert.throws(
    () => native.create(segment.path, 8, 0o600),
    (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.equal((error as { code?: string }).code, "EEXIST");
      assert.ok(error.message.includes(segment.path));
      return true;
    },
  );
});

test("views outside the payload are refused", (t) => {
  const run = scratchRun(t);
  const segment = run.createSegment("small", 16);
  assert.throws(() => segment.float64(8, 2), /bytes 8\.\.24 .* fall outside its 16-byte payload/);
  assert.throws(() => segment.float64(4, 1), /alignment 8/);
});
