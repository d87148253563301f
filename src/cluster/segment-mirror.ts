// A component's segments kept alike on both nodes. Whoever passes the turn
// (the component's done or hello, the driver's go, window or ack) first sends
// the payload of every segment of that component on its side; the other side
// creates the segments it lacks (same name, kind and size, a header of its own
// run) and copies the payloads in, before it acts on the record. The protocol
// is strictly alternating, so nothing is written on the receiving side while
// the turn is away, and a whole copy is the one-node result exactly. The
// channel itself is not mirrored: each node has its own rings.
import type { Run } from "../shm/run.ts";
import type { Segment } from "../shm/segment.ts";
import type { SegmentKind } from "../wire/segment-header.ts";
import { encodeFrame, FrameType } from "./frames.ts";

const NAME_LIMIT = 1024;

export class SegmentMirror {
  private readonly open = new Map<string, Segment>();

  constructor(
    private readonly run: Run,
    readonly component: string,
    private readonly where: string,
  ) {}

  /** The frames of every segment of the component in this run but its channel, in registry order. */
  frames(): Buffer[] {
    const frames: Buffer[] = [];
    const prefix = `${this.component}.`;
    for (const entry of this.run.segments()) {
      if (!entry.name.startsWith(prefix) || entry.name === `${prefix}channel`) continue;
      const segment = this.segment(entry.name);
      const name = Buffer.from(entry.name, "utf8");
      const head = Buffer.allocUnsafe(8 + name.byteLength);
      head.writeUInt32LE(name.byteLength, 0);
      head.writeUInt32LE(entry.kind, 4);
      head.set(name, 8);
      frames.push(encodeFrame(FrameType.segment, Buffer.concat([head, segment.bytes(0, segment.payloadSize)])));
    }
    return frames;
  }

  /** Applies a segment frame: creates the segment when this side has none by that name, then copies the payload. */
  apply(payload: Buffer): void {
    const nameLength = payload.byteLength >= 8 ? payload.readUInt32LE(0) : NAME_LIMIT + 1;
    if (nameLength > NAME_LIMIT || 8 + nameLength > payload.byteLength) {
      throw new Error(`${this.where}: a segment frame whose name does not fit it`);
    }
    const kind = payload.readUInt32LE(4) as SegmentKind;
    const name = payload.subarray(8, 8 + nameLength).toString("utf8");
    if (!name.startsWith(`${this.component}.`) || name === `${this.component}.channel`) {
      throw new Error(`${this.where}: a segment frame for "${name}", which is not component ${this.component}'s`);
    }
    const bytes = payload.subarray(8 + nameLength);
    let segment = this.open.get(name);
    if (segment === undefined) {
      const known = this.run.segments().some((entry) => entry.name === name);
      segment = known ? this.run.openSegment(name) : this.run.createSegment(name, bytes.byteLength, kind);
      this.open.set(name, segment);
    }
    if (segment.payloadSize !== bytes.byteLength) {
      throw new Error(
        `${this.where}: segment "${name}" has ${segment.payloadSize} payload bytes here and ${bytes.byteLength} on the other node`,
      );
    }
    segment.bytes(0, segment.payloadSize).set(bytes);
  }

  private segment(name: string): Segment {
    let segment = this.open.get(name);
    if (segment === undefined) {
      segment = this.run.openSegment(name);
      this.open.set(name, segment);
    }
    return segment;
  }

  close(): void {
    for (const segment of this.open.values()) segment.close();
    this.open.clear();
  }
}
