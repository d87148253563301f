// The segment mirror between two nodes' runs (two runs here, as the relay's
// and the agent's; the two-node tests run it across simulated nodes): once the
// driver's read ranges have passed from the relay's side to the agent's, the
// agent's side sends only the changed blocks the driver reads, and a changed
// block it does not read when it holds a value that is not finite; at bye
// everything held back crosses, so both sides end byte for byte alike. Read
// ranges that do not fit their bytes, name another component's segment, or
// reach beyond a segment are refused by name.
import assert from "node:assert/strict";
import { test } from "node:test";
import { FrameType } from "../../src/cluster/frames.ts";
import { SegmentMirror } from "../../src/cluster/segment-mirror.ts";
import { NearestNeighbourOperator } from "../../src/mapping/index.ts";
import { SharedMesh } from "../../src/shm/shared-mesh.ts";
import { encodeReadRanges, readRangesBytes, readRangesSegmentName } from "../../src/wire/read-ranges.ts";
import { scratchRun } from "../support/scratch-run.ts";

const POINTS = 4096;

/** Passes every frame of `from` to `to`, as the socket would; returns the segment payload bytes they carried. */
function pass(frames: Buffer[], to: SegmentMirror): number {
  let bytes = 0;
  for (const frame of frames) {
    const type = frame.readUInt32LE(4);
    const payload = frame.subarray(8);
    if (type === FrameType.reads) to.applyReads(payload);
    else if (type === FrameType.segment) {
      const before = to.bytesReceived;
      to.apply(payload);
      bytes += to.bytesReceived - before;
    } else assert.fail(`a frame of type ${type}`);
  }
  return bytes;
}

test("after the driver's read ranges, a turn sends the blocks it reads, and bye sends the rest", (t) => {
  const driverNode = scratchRun(t);
  const componentNode = scratchRun(t);
  // The component's mesh on its node: 4,096 points, one field it rewrites every step.
  const mesh = SharedMesh.create(componentNode, "Big", "line", {
    dimension: 1,
    count: POINTS,
    layout: "soa",
    fields: ["f"],
  });
  for (let point = 0; point < POINTS; point++) mesh.coordinates[point] = point / POINTS;
  const relay = new SegmentMirror(driverNode, "Big", "relay", true);
  const agent = new SegmentMirror(componentNode, "Big", "agent");
  t.after(() => {
    relay.close();
    agent.close();
    mesh.close();
  });
  // hello: everything crosses.
  pass(agent.frames(), relay);
  const here = SharedMesh.open(driverNode, "Big", "line");
  t.after(() => here.close());
  // The driver's nearest operator reads the first 100 points only.
  const operator = new NearestNeighbourOperator(
    false,
    POINTS,
    100,
    Int32Array.from({ length: 100 }, (_, i) => i),
  );
  const field = here.field("f");
  const base = here.segment.payloadOffset;
  const fieldStart = field.byteOffset - base;
  const head = here.coordinates.byteOffset + here.coordinates.byteLength - base;
  const entries = new Map([["Big.mesh.line", [[0, head] as const, [fieldStart, 100 * 8] as const]]]);
  const reads = driverNode.createSegment(readRangesSegmentName("Big"), readRangesBytes(entries));
  encodeReadRanges(entries, reads.bytes(0, reads.payloadSize));
  reads.close();
  assert.equal(operator.sourceCount, POINTS);
  // The driver's ack passes the ranges (and nothing else: nothing changed on its side).
  assert.equal(pass(relay.frames(), agent), 0);

  const written = mesh.field("f");
  for (let point = 0; point < POINTS; point++) written[point] = point + 1;
  const sent = pass(agent.frames(), relay);
  assert.ok(sent >= 800 && sent <= 800 + 512, `${sent} bytes for 100 values read`);
  assert.deepEqual([...field.subarray(0, 100)], [...written.subarray(0, 100)]);
  assert.equal(field[POINTS - 1], 0, "a value nobody reads did not cross");

  // A value that is not finite crosses where nobody reads it, so the driver's check finds it.
  written[3000] = Number.NaN;
  pass(agent.frames(), relay);
  assert.ok(Number.isNaN(field[3000] as number));
  written[3000] = 7;

  // bye: all of it, and both sides are alike byte for byte.
  pass(agent.frames(true), relay);
  assert.deepEqual(
    Buffer.from(here.segment.bytes(0, here.segment.payloadSize)),
    Buffer.from(mesh.segment.bytes(0, mesh.segment.payloadSize)),
  );
});

test("read ranges that do not fit, name another's segment, or reach beyond one are refused by name", (t) => {
  const componentNode = scratchRun(t);
  const mesh = SharedMesh.create(componentNode, "Big", "line", {
    dimension: 1,
    count: 16,
    layout: "soa",
    fields: ["f"],
  });
  const agent = new SegmentMirror(componentNode, "Big", "agent on node2");
  t.after(() => {
    agent.close();
    mesh.close();
  });
  const encoded = (entries: Map<string, [number, number][]>): Buffer => {
    const bytes = Buffer.alloc(readRangesBytes(entries));
    encodeReadRanges(entries, bytes);
    return bytes;
  };
  const good = encoded(new Map([["Big.mesh.line", [[0, 64]]]]));
  assert.throws(
    () => agent.applyReads(good.subarray(0, good.byteLength - 4)),
    /agent on node2: the driver's: read ranges/,
  );
  assert.throws(() => agent.applyReads(encoded(new Map([["Other.mesh.line", [[0, 8]]]]))), /not component Big's/);
  assert.throws(
    () =>
      agent.applyReads(
        encoded(
          new Map([
            [
              "Big.mesh.line",
              [
                [8, 8],
                [4, 8],
              ],
            ],
          ]),
        ),
      ),
    /overlap or go back/,
  );
  agent.applyReads(encoded(new Map([["Big.mesh.line", [[0, 1 << 20]]]])));
  assert.throws(() => agent.frames(), /reads 0\+1048576 of segment "Big.mesh.line"/);
});

test("the cluster's own segments never cross as segments", (t) => {
  const run = scratchRun(t);
  const mirror = new SegmentMirror(run, "Big", "relay", true);
  t.after(() => mirror.close());
  const frame = Buffer.alloc(12 + 9);
  frame.writeUInt32LE(9, 0);
  frame.writeUInt32LE(0, 4);
  frame.writeUInt32LE(8, 8);
  frame.write("Big._link", 12);
  assert.throws(() => mirror.apply(frame), /"Big._link", which is not component Big's/);
});

test("a block that comes back holding bytes held back here keeps what the component wrote since", (t) => {
  const driverNode = scratchRun(t);
  const componentNode = scratchRun(t);
  const raw = componentNode.createSegment("Big.raw", 1024);
  const relay = new SegmentMirror(driverNode, "Big", "relay", true);
  const agent = new SegmentMirror(componentNode, "Big", "agent");
  t.after(() => {
    relay.close();
    agent.close();
    raw.close();
  });
  pass(agent.frames(), relay);
  const entries = new Map([["Big.raw", [[0, 256] as const]]]);
  const reads = driverNode.createSegment(readRangesSegmentName("Big"), readRangesBytes(entries));
  encodeReadRanges(entries, reads.bytes(0, reads.payloadSize));
  reads.close();
  pass(relay.frames(), agent);
  // The component writes doubles 32..36 (block 1, which the driver does not read): held back.
  const component = new Float64Array(raw.buffer, raw.payloadOffset, 128);
  component.set([1, 2, 3, 4, 5], 32);
  assert.equal(pass(agent.frames(), relay), 0);
  assert.equal(agent.bytesHeldBack, 256);
  // The driver writes double 40, in the same block: its block comes back with doubles 32..36 as zeros.
  const there = driverNode.openSegment("Big.raw");
  t.after(() => there.close());
  new Float64Array(there.buffer, there.payloadOffset, 128)[40] = 9;
  pass(relay.frames(), agent);
  assert.deepEqual([...component.subarray(32, 41)], [1, 2, 3, 4, 5, 0, 0, 0, 9]);
  // bye: the component's values reach the driver's node after all.
  pass(agent.frames(true), relay);
  assert.deepEqual(
    [...new Float64Array(there.buffer, there.payloadOffset, 128).subarray(32, 41)],
    [1, 2, 3, 4, 5, 0, 0, 0, 9],
  );
});
