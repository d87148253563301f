// A component's segments kept alike on both nodes. Whoever passes the turn
// (the component's done or hello, the driver's go, window or ack) first sends
// what changed in every segment of that component on its side since the other
// side last had it; the other side creates the segments it lacks (same name,
// kind and size, a header of its own run) and writes the changes in, before it
// acts on the record. The protocol is strictly alternating, so nothing is
// written on the receiving side while the turn is away, and the result is the
// one-node result exactly. The channel itself is not mirrored: each node has
// its own rings.
//
// What changed is found against a shadow: the payload as the other side has
// it, kept on both sides (the sender's after it sent, the receiver's after it
// wrote). Coordinates and fields nobody touched cross once; a field a step
// rewrote crosses in the blocks whose bytes differ.
import type { Run } from "../shm/run.ts";
import type { Segment } from "../shm/segment.ts";
import type { SegmentKind } from "../wire/segment-header.ts";
import { encodeFrame, FrameType } from "./frames.ts";

const NAME_LIMIT = 1024;
/** Blocks compared and sent whole: small enough that a changed value costs little, large enough to compare fast. */
const BLOCK_BYTES = 256;
const HEAD_BYTES = 12;
const RANGE_HEAD_BYTES = 8;

interface Mirrored {
  segment: Segment;
  /** The payload as the other node has it. */
  shadow: Buffer;
  /** Whether the other node has it at all. */
  known: boolean;
}

export class SegmentMirror {
  private readonly mirrored = new Map<string, Mirrored>();
  /** Payload bytes sent and received since the mirror was made (frame headers not counted). */
  bytesSent = 0;
  bytesReceived = 0;

  constructor(
    private readonly run: Run,
    readonly component: string,
    private readonly where: string,
  ) {}

  /** Frames of what changed in the component's segments (its channel aside) since the other node had them. */
  frames(): Buffer[] {
    const frames: Buffer[] = [];
    const prefix = `${this.component}.`;
    for (const entry of this.run.segments()) {
      if (!entry.name.startsWith(prefix) || entry.name === `${prefix}channel`) continue;
      const mirrored = this.opened(entry.name);
      const view = mirrored.segment.bytes(0, mirrored.segment.payloadSize);
      const current = Buffer.from(view.buffer, view.byteOffset, view.byteLength);
      const ranges = mirrored.known ? changedRanges(current, mirrored.shadow) : [[0, current.byteLength] as const];
      mirrored.known = true;
      if (ranges.length === 0) continue;
      const name = Buffer.from(entry.name, "utf8");
      const parts: Buffer[] = [header(name, entry.kind, current.byteLength)];
      for (const [offset, length] of ranges) {
        const range = Buffer.allocUnsafe(RANGE_HEAD_BYTES);
        range.writeUInt32LE(offset, 0);
        range.writeUInt32LE(length, 4);
        parts.push(range, current.subarray(offset, offset + length));
        current.copy(mirrored.shadow, offset, offset, offset + length);
        this.bytesSent += length;
      }
      frames.push(encodeFrame(FrameType.segment, Buffer.concat(parts)));
    }
    return frames;
  }

  /** Applies a segment frame: creates the segment when this node has none by that name, then writes the ranges. */
  apply(payload: Buffer): void {
    const nameLength = payload.byteLength >= HEAD_BYTES ? payload.readUInt32LE(0) : NAME_LIMIT + 1;
    if (nameLength > NAME_LIMIT || HEAD_BYTES + nameLength > payload.byteLength) {
      throw new Error(`${this.where}: a segment frame whose name does not fit it`);
    }
    const kind = payload.readUInt32LE(4) as SegmentKind;
    const size = payload.readUInt32LE(8);
    const name = payload.subarray(HEAD_BYTES, HEAD_BYTES + nameLength).toString("utf8");
    if (!name.startsWith(`${this.component}.`) || name === `${this.component}.channel`) {
      throw new Error(`${this.where}: a segment frame for "${name}", which is not component ${this.component}'s`);
    }
    let mirrored = this.mirrored.get(name);
    if (mirrored === undefined) {
      const known = this.run.segments().some((entry) => entry.name === name);
      const segment = known ? this.run.openSegment(name) : this.run.createSegment(name, size, kind);
      mirrored = { segment, shadow: Buffer.alloc(segment.payloadSize), known: true };
      this.mirrored.set(name, mirrored);
    }
    const target = mirrored.segment.bytes(0, mirrored.segment.payloadSize);
    if (target.byteLength !== size) {
      throw new Error(
        `${this.where}: segment "${name}" has ${target.byteLength} payload bytes here and ${size} on the other node`,
      );
    }
    let at = HEAD_BYTES + nameLength;
    while (at < payload.byteLength) {
      if (at + RANGE_HEAD_BYTES > payload.byteLength) throw new Error(`${this.where}: segment "${name}": a torn range`);
      const offset = payload.readUInt32LE(at);
      const length = payload.readUInt32LE(at + 4);
      const start = at + RANGE_HEAD_BYTES;
      if (offset + length > size || start + length > payload.byteLength) {
        throw new Error(`${this.where}: segment "${name}": a range ${offset}+${length} outside its ${size} bytes`);
      }
      const bytes = payload.subarray(start, start + length);
      target.set(bytes, offset);
      bytes.copy(mirrored.shadow, offset);
      this.bytesReceived += length;
      at = start + length;
    }
  }

  private opened(name: string): Mirrored {
    let mirrored = this.mirrored.get(name);
    if (mirrored === undefined) {
      const segment = this.run.openSegment(name);
      mirrored = { segment, shadow: Buffer.alloc(segment.payloadSize), known: false };
      this.mirrored.set(name, mirrored);
    }
    return mirrored;
  }

  close(): void {
    for (const mirrored of this.mirrored.values()) mirrored.segment.close();
    this.mirrored.clear();
  }
}

function header(name: Buffer, kind: number, size: number): Buffer {
  const head = Buffer.allocUnsafe(HEAD_BYTES + name.byteLength);
  head.writeUInt32LE(name.byteLength, 0);
  head.writeUInt32LE(kind, 4);
  head.writeUInt32LE(size, 8);
  head.set(name, HEAD_BYTES);
  return head;
}

/** The [offset, length] ranges, in whole blocks (the last may be short), where `current` differs from `shadow`. */
function changedRanges(current: Buffer, shadow: Buffer): [number, number][] {
  const ranges: [number, number][] = [];
  for (let offset = 0; offset < current.byteLength; offset += BLOCK_BYTES) {
    const end = Math.min(offset + BLOCK_BYTES, current.byteLength);
    if (current.compare(shadow, offset, end, offset, end) === 0) continue;
    const last = ranges.at(-1);
    if (last !== undefined && last[0] + last[1] === offset) last[1] = end - last[0];
    else ranges.push([offset, end - offset]);
  }
  return ranges;
}
