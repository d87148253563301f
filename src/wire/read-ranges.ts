// A read-ranges payload's layout (docs/wire-format.md, "Read ranges", version
// 1): for each of one component's segments that the driver reads, the byte
// ranges of its payload that the driver's operators and checks read. The
// driver writes it once its operators are set up, in a segment named
// "<component>._reads" (no mesh can be named so: a mesh name starts with a
// letter); the relay of a component on another node passes it to that node's
// agent, which then sends only those ranges of what changed (docs/cluster.md).
// This module is the only code that encodes the layout; every reader decodes
// it through decodeReadRanges, which checks every count against the bytes.

export const READ_RANGES_MAGIC = 0x47524452; // "RDRG"
export const READ_RANGES_LAYOUT_VERSION = 1;
/** magic, version, entry count, total bytes. */
export const READ_RANGES_HEAD_BYTES = 16;
const ENTRY_HEAD_BYTES = 8;
const RANGE_BYTES = 8;
const NAME_LIMIT = 1024;

/** Byte ranges [offset, length] of one segment's payload, ascending and apart. */
export type ByteRanges = readonly (readonly [number, number])[];

export class ReadRangesError extends Error {
  override name = "ReadRangesError";
}

export function readRangesSegmentName(component: string): string {
  return `${component}._reads`;
}

/** Bytes the payload of `entries` takes. */
export function readRangesBytes(entries: ReadonlyMap<string, ByteRanges>): number {
  let bytes = READ_RANGES_HEAD_BYTES;
  for (const [name, ranges] of entries) {
    bytes += ENTRY_HEAD_BYTES + padded(Buffer.byteLength(name, "utf8")) + ranges.length * RANGE_BYTES;
  }
  return bytes;
}

/** Writes `entries` into `target` (readRangesBytes long), the magic last, so a reader that sees it sees the rest. */
export function encodeReadRanges(entries: ReadonlyMap<string, ByteRanges>, target: Uint8Array): void {
  const view = new DataView(target.buffer, target.byteOffset, target.byteLength);
  view.setUint32(4, READ_RANGES_LAYOUT_VERSION, true);
  view.setUint32(8, entries.size, true);
  view.setUint32(12, target.byteLength, true);
  let at = READ_RANGES_HEAD_BYTES;
  for (const [name, ranges] of entries) {
    const bytes = Buffer.from(name, "utf8");
    view.setUint32(at, bytes.byteLength, true);
    view.setUint32(at + 4, ranges.length, true);
    target.set(bytes, at + ENTRY_HEAD_BYTES);
    at += ENTRY_HEAD_BYTES + padded(bytes.byteLength);
    for (const [offset, length] of ranges) {
      view.setUint32(at, offset, true);
      view.setUint32(at + 4, length, true);
      at += RANGE_BYTES;
    }
  }
  Atomics.store(new Int32Array(target.buffer, target.byteOffset, 1), 0, READ_RANGES_MAGIC | 0);
}

/** Whether the writer has finished: the magic is there (it is stored last). */
export function readRangesPublished(bytes: Uint8Array): boolean {
  if (bytes.byteLength < READ_RANGES_HEAD_BYTES || bytes.byteOffset % 4 !== 0) return false;
  return Atomics.load(new Int32Array(bytes.buffer, bytes.byteOffset, 1), 0) >>> 0 === READ_RANGES_MAGIC;
}

/** The entries of a payload, every count and range checked against its bytes; `where` names it in errors. */
export function decodeReadRanges(bytes: Uint8Array, where: string): Map<string, ByteRanges> {
  const fail = (reason: string): never => {
    throw new ReadRangesError(`${where}: read ranges ${reason}`);
  };
  if (bytes.byteLength < READ_RANGES_HEAD_BYTES) fail(`of ${bytes.byteLength} bytes, fewer than their head`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== READ_RANGES_MAGIC) fail("without their magic");
  const version = view.getUint32(4, true);
  if (version !== READ_RANGES_LAYOUT_VERSION) fail(`of layout version ${version}; this build reads version 1`);
  const count = view.getUint32(8, true);
  if (view.getUint32(12, true) !== bytes.byteLength)
    fail(`that say ${view.getUint32(12, true)} bytes in ${bytes.byteLength}`);
  const entries = new Map<string, ByteRanges>();
  let at = READ_RANGES_HEAD_BYTES;
  for (let entry = 0; entry < count; entry++) {
    if (at + ENTRY_HEAD_BYTES > bytes.byteLength) fail(`that end inside entry ${entry}`);
    const nameBytes = view.getUint32(at, true);
    const rangeCount = view.getUint32(at + 4, true);
    const rangesAt = at + ENTRY_HEAD_BYTES + padded(nameBytes);
    if (nameBytes === 0 || nameBytes > NAME_LIMIT || rangesAt + rangeCount * RANGE_BYTES > bytes.byteLength) {
      fail(`whose entry ${entry} does not fit them`);
    }
    const name = Buffer.from(bytes.buffer, bytes.byteOffset + at + ENTRY_HEAD_BYTES, nameBytes).toString("utf8");
    const ranges: [number, number][] = [];
    let end = 0;
    for (let index = 0; index < rangeCount; index++) {
      const offset = view.getUint32(rangesAt + index * RANGE_BYTES, true);
      const length = view.getUint32(rangesAt + index * RANGE_BYTES + 4, true);
      if (length === 0 || offset < end)
        fail(`of segment "${name}" that are empty, overlap or go back (range ${index})`);
      end = offset + length;
      ranges.push([offset, length]);
    }
    if (entries.has(name)) fail(`that name segment "${name}" twice`);
    entries.set(name, ranges);
    at = rangesAt + rangeCount * RANGE_BYTES;
  }
  if (at !== bytes.byteLength) fail(`with ${bytes.byteLength - at} bytes after their last entry`);
  return entries;
}

function padded(bytes: number): number {
  return (bytes + 3) & ~3;
}
