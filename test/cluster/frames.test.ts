// The frames between a relay and an agent come out of any chunking of the
// stream whole and in order: byte by byte, several to a chunk, or one large
// frame over many chunks; a header claiming more than the limit is refused.
import assert from "node:assert/strict";
import { test } from "node:test";
import { encodeFrame, FrameReader, MAX_FRAME_PAYLOAD } from "../../src/cluster/frames.ts";

function frames(): Buffer[] {
  const large = Buffer.alloc(3_000_000);
  for (let index = 0; index < large.byteLength; index++) large[index] = (index * 7) & 0xff;
  return [
    encodeFrame(4, Buffer.from("record")),
    encodeFrame(7, Buffer.alloc(0)),
    encodeFrame(5, large),
    encodeFrame(8, Buffer.from("last")),
  ];
}

function read(stream: Buffer, chunk: number): { type: number; payload: Buffer }[] {
  const got: { type: number; payload: Buffer }[] = [];
  const reader = new FrameReader((type, payload) => got.push({ type, payload: Buffer.from(payload) }), "test");
  for (let offset = 0; offset < stream.byteLength; offset += chunk)
    reader.push(stream.subarray(offset, offset + chunk));
  return got;
}

test("frames come out whole and in order whatever the chunks", () => {
  const sent = frames();
  const stream = Buffer.concat(sent);
  for (const chunk of [1, 3, 8, 9, 65_536, stream.byteLength]) {
    // Byte by byte only over the small frames: the large one would take minutes that way.
    const part = chunk === 1 ? Buffer.concat([sent[0] as Buffer, sent[1] as Buffer]) : stream;
    const got = read(part, chunk);
    const expected = chunk === 1 ? 2 : 4;
    assert.equal(got.length, expected, `chunks of ${chunk}`);
    assert.deepEqual(
      got.map((frame) => frame.type),
      [4, 7, 5, 8].slice(0, expected),
    );
    assert.equal(got[0]?.payload.toString(), "record");
    assert.equal(got[1]?.payload.byteLength, 0);
    if (expected === 4) {
      assert.ok(got[2]?.payload.equals((sent[2] as Buffer).subarray(8)), `the large frame, chunks of ${chunk}`);
      assert.equal(got[3]?.payload.toString(), "last");
    }
  }
});

test("a frame header claiming more than the limit is refused by name", () => {
  const header = Buffer.alloc(8);
  header.writeUInt32LE(MAX_FRAME_PAYLOAD + 1, 0);
  const reader = new FrameReader(() => assert.fail("no frame"), "relay of component X");
  assert.throws(() => reader.push(header), /relay of component X: a frame of \d+ bytes, above \d+: not a conflux peer/);
});
