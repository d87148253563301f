// A command record as it crosses nodes: opcode, flags, the sequence it had on
// the ring it came from (a reply names it back as its correlation), the
// correlation, and the payload's bytes in use. The ring on the other side
// gives it a sequence of its own; the relay and agent translate replies.
import type { Message } from "../queue/message.ts";

const HEAD_BYTES = 20;

export function encodeRecord(message: Message): Buffer {
  const length = Math.min(message.length, message.bytes.byteLength);
  const bytes = Buffer.allocUnsafe(HEAD_BYTES + length);
  bytes.writeUInt32LE(message.opcode >>> 0, 0);
  bytes.writeUInt32LE(message.flags >>> 0, 4);
  bytes.writeUInt32LE(message.sequence >>> 0, 8);
  bytes.writeUInt32LE(message.correlation >>> 0, 12);
  bytes.writeUInt32LE(length, 16);
  bytes.set(message.bytes.subarray(0, length), HEAD_BYTES);
  return bytes;
}

/** Fills `into` from a frame's payload; returns the sequence the record had where it came from. */
export function decodeRecord(payload: Buffer, into: Message, where: string): number {
  if (payload.byteLength < HEAD_BYTES) throw new Error(`${where}: a record frame of ${payload.byteLength} bytes`);
  const length = payload.readUInt32LE(16);
  if (length > into.bytes.byteLength || HEAD_BYTES + length !== payload.byteLength) {
    throw new Error(`${where}: a record frame says ${length} payload bytes in ${payload.byteLength - HEAD_BYTES}`);
  }
  into.opcode = payload.readUInt32LE(0);
  into.flags = payload.readUInt32LE(4);
  into.correlation = payload.readUInt32LE(12);
  into.length = length;
  into.bytes.fill(0);
  into.bytes.set(payload.subarray(HEAD_BYTES), 0);
  return payload.readUInt32LE(8);
}
