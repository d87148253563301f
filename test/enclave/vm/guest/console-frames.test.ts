// The agent's framed console, read on the host: frames split anywhere by the
// pipe, binary payloads, and bytes that are no frame at all.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ConsoleFrameReader, FrameType } from "../../../../src/enclave/vm/guest/console-frames.ts";

function frame(type: number, payload: string | Buffer): Buffer {
  const body = typeof payload === "string" ? Buffer.from(payload) : payload;
  const header = Buffer.from([0x1b, 0x43, type, 0, 0, 0, 0]);
  header.writeUInt32LE(body.length, 3);
  return Buffer.concat([header, body]);
}

test("frames come out whole and in order however the stream is cut, noise apart", () => {
  const frames: [number, string][] = [];
  const noise: string[] = [];
  const reader = new ConsoleFrameReader(
    (type, payload) => frames.push([type, payload.toString("latin1")]),
    (bytes) => noise.push(bytes.toString("latin1")),
  );
  const stream = Buffer.concat([
    Buffer.from("early noise"),
    frame(FrameType.stdout, "line 1\nline 2 without end"),
    frame(FrameType.stderr, Buffer.from([0x1b, 0x43, 0, 0xff])),
    frame(FrameType.exit, "code 3"),
  ]);
  for (let at = 0; at < stream.length; at += 3) reader.push(stream.subarray(at, Math.min(stream.length, at + 3)));
  assert.deepEqual(frames, [
    [FrameType.stdout, "line 1\nline 2 without end"],
    [FrameType.stderr, "\x1bC\x00\xff"],
    [FrameType.exit, "code 3"],
  ]);
  assert.equal(noise.join(""), "early noise");
});
