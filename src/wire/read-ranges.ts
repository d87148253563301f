// A read-ranges payload's layout (docs/wire-format.md, "Read ranges", version
// 1): for each of one component's segments that the driver reads, the byte
// ranges of its payload that the driver's operators and checks read. The
// driver writes it once its operators are set up, in a segment named
// "<component>._reads" (no mesh can be named so: a mesh name starts with a
// letter); the relay of a component on another node passes it to that node's
// agent, which then sends only those ranges of what changed (docs/cluster.md).
// This module is the only code that encodes the layout; every reader decodes
// it through decodeReadRanges, which checks every count against the bytes.

import {
  checkedPayloadHead,
  type PayloadLayout,
  payloadPublished,
  publishPayload,
  writePayloadHead,
} from "./versioned-payload.ts";

export const READ_RANGES_MAGIC = 0x47524452; // "RDRG"
export const READ_RANGES_LAYOUT_VERSION = 1;
/** magic, version, entry count, total bytes. */
export const READ_RANGES_HEAD_BYTES = 16;
const ENTRY_HEAD_BYTES = 8;
const RANGE_BYTES = 8;
const NAME_LIMIT = 1024;

/** Byte ranges [offset, length] of one segment's payload, ascending and apart. */
export type ByteRanges = readonly (readonly [number, number])[];

const LAYOUT: PayloadLayout = {
  magic: READ_RANGES_MAGIC,
  version: READ_RANGES_LAYOUT_VERSION,
  headBytes: READ_RANGES_HEAD_BYTES,
};

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
  writePayloadHead(view, LAYOUT, entries.size);
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
  publishPayload(target, LAYOUT);
}

/** Whether the writer has finished: the magic is there (it is stored last). */
export function readRangesPublished(bytes: Uint8Array): boolean {
  return payloadPublished(bytes, LAYOUT);
}

/** The entries of a payload, every count and range checked against its bytes; `where` names it in errors. */
export function decodeReadRanges(bytes: Uint8Array, where: string): Map<string, ByteRanges> {
  const fail = (reason: string): never => {
    throw new ReadRangesError(`${where}: read ranges ${reason}`);
  };
  const { view, count } = checkedPayloadHead(bytes, LAYOUT, fail);
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
