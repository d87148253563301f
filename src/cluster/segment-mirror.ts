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
//
// What the driver reads. Once its operators are set up, the driver says which
// byte ranges of the component's segments it reads ("<component>._reads",
// wire/read-ranges.ts); the relay passes them on, once, and from then on the
// agent sends a changed block only when it holds a byte the driver reads, or a
// value that is not finite (so the driver's check of every value still finds
// it and names the point): everything a driver leaves unread is values, whole
// doubles on 8-byte boundaries. A block held back stays changed against the
// shadow, and crosses when the component says bye, so the run's saved fields
// are the component's whole. Names "<component>._…" are the cluster's own
// (no mesh name starts so) and never cross as segments, but one: the source
// values of operators applied on the component's node, "<component>._sources",
// which the driver rewrites each turn (coupling/remote-operators.ts); their
// operators, "<component>._operators", pass once, as the read ranges do.
import type { Run } from "../shm/run.ts";
import type { Segment } from "../shm/segment.ts";
import { type ByteRanges, decodeReadRanges, readRangesPublished, readRangesSegmentName } from "../wire/read-ranges.ts";
import {
  decodeRemoteOperators,
  remoteOperatorsPublished,
  remoteOperatorsSegmentName,
  remoteSourcesSegmentName,
} from "../wire/remote-operators.ts";
import type { SegmentKind } from "../wire/segment-header.ts";
import { encodeFrame, FrameType } from "./frames.ts";

/** A payload the driver writes once for the agent, passed on by the relay as a frame of its own. */
interface Handover {
  name: string;
  frameType: number;
  /** Whether the driver has finished writing it. */
  published(bytes: Uint8Array): boolean;
  /** Throws, naming what is wrong, when it is not fit to pass on. */
  check(bytes: Uint8Array): unknown;
}

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
  /** Per block, 1 when the driver reads a byte of it; undefined when it reads them all (or said nothing). */
  readBlocks: Uint8Array | undefined;
  /** Whether this side holds back changes the other has not had: then what comes in is merged, not copied. */
  heldBack: boolean;
  /** The payload's whole doubles, viewed once: a block held back is first checked for values that are not finite. */
  values: Float64Array;
}

export class SegmentMirror {
  private readonly mirrored = new Map<string, Mirrored>();
  /** Payload bytes sent and received since the mirror was made (frame headers not counted). */
  bytesSent = 0;
  bytesReceived = 0;
  /** Changed bytes held back because the driver does not read them (they cross at bye). */
  bytesHeldBack = 0;
  /** Relay side: the driver's setup payloads that have gone to the agent, by segment name. */
  private readonly handedOver = new Set<string>();
  /** What the driver writes once, after setup, for the agent: its read ranges and the operators to apply there. */
  private readonly handovers: readonly Handover[];
  /** Agent side: the ranges the driver reads, by segment name, once the relay has passed them. */
  private reads: Map<string, ByteRanges> | undefined;

  constructor(
    private readonly run: Run,
    readonly component: string,
    private readonly where: string,
    /** The relay's side: it passes the driver's read ranges on (the agent's never: they are not its component's to say). */
    private readonly passesReads = false,
  ) {
    this.handovers = [
      {
        name: readRangesSegmentName(component),
        frameType: FrameType.reads,
        published: readRangesPublished,
        check: (bytes) => decodeReadRanges(bytes, `${where}: the driver's`),
      },
      {
        name: remoteOperatorsSegmentName(component),
        frameType: FrameType.operators,
        published: remoteOperatorsPublished,
        check: (bytes) => decodeRemoteOperators(bytes, `${where}: the driver's`),
      },
    ];
  }

  /**
   * Frames of what changed in the component's segments since the other node had them: the changed blocks the
   * driver reads, or all of them when `whole` (or nothing was said). On the relay's side, the driver's read
   * ranges and operators pass too, once each, once they exist.
   */
  frames(whole = false): Buffer[] {
    const frames: Buffer[] = [];
    for (const entry of this.run.segments()) {
      if (!entry.name.startsWith(this.prefix)) continue;
      const handover = this.handovers.find((candidate) => candidate.name === entry.name);
      if (handover !== undefined) {
        if (this.passesReads && !this.handedOver.has(handover.name)) this.handOver(handover, frames);
        continue;
      }
      if (!this.mirrors(entry.name)) continue;
      const mirrored = this.opened(entry.name);
      const view = mirrored.segment.bytes(0, mirrored.segment.payloadSize);
      const current = Buffer.from(view.buffer, view.byteOffset, view.byteLength);
      const ranges = mirrored.known
        ? this.changedRanges(current, mirrored, whole ? undefined : mirrored.readBlocks)
        : [[0, current.byteLength] as const];
      mirrored.known = true;
      if (whole) mirrored.heldBack = false;
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

  /** Agent side: the driver's read ranges, checked; segments they name that this node has are held to them. */
  applyReads(payload: Buffer): void {
    const reads = decodeReadRanges(payload, `${this.where}: the driver's`);
    for (const name of reads.keys()) {
      if (!this.mirrors(name))
        throw new Error(`${this.where}: read ranges for "${name}", which is not component ${this.component}'s`);
    }
    this.reads = reads;
    for (const [name, mirrored] of this.mirrored)
      mirrored.readBlocks = this.readBlocksOf(name, mirrored.segment.payloadSize);
  }

  private get prefix(): string {
    return `${this.component}.`;
  }

  /**
   * Whether a segment of this name crosses: the component's own, but not its channel or the cluster's, except the
   * source values of operators applied on its node, which the driver rewrites every turn.
   */
  private mirrors(name: string): boolean {
    if (name === remoteSourcesSegmentName(this.component)) return true;
    return name.startsWith(this.prefix) && name !== `${this.prefix}channel` && !name.startsWith(`${this.prefix}_`);
  }

  private handOver(handover: Handover, frames: Buffer[]): void {
    const segment = this.run.openSegment(handover.name);
    try {
      const bytes = segment.bytes(0, segment.payloadSize);
      if (!handover.published(bytes)) return;
      // Checked here too: a component on the driver's node can reach the run's segments.
      const copy = Buffer.from(bytes);
      handover.check(copy);
      frames.push(encodeFrame(handover.frameType, copy));
      this.bytesSent += copy.byteLength;
      this.handedOver.add(handover.name);
    } finally {
      segment.close();
    }
  }

  private readBlocksOf(name: string, payloadSize: number): Uint8Array | undefined {
    const ranges = this.reads?.get(name);
    if (ranges === undefined) return undefined;
    const blocks = new Uint8Array(Math.ceil(payloadSize / BLOCK_BYTES));
    for (const [offset, length] of ranges) {
      if (offset + length > payloadSize) {
        throw new Error(
          `${this.where}: the driver reads ${offset}+${length} of segment "${name}", which has ${payloadSize} bytes`,
        );
      }
      const last = Math.floor((offset + length - 1) / BLOCK_BYTES);
      for (let block = Math.floor(offset / BLOCK_BYTES); block <= last; block++) blocks[block] = 1;
    }
    return blocks;
  }

  /**
   * The [offset, length] ranges, in whole blocks (the last may be short), where `current` differs from the
   * shadow and that cross: every changed block, or with `readBlocks` those the driver reads or that hold a value
   * that is not finite.
   */
  private changedRanges(current: Buffer, mirrored: Mirrored, readBlocks: Uint8Array | undefined): [number, number][] {
    const shadow = mirrored.shadow;
    const ranges: [number, number][] = [];
    for (let offset = 0, block = 0; offset < current.byteLength; offset += BLOCK_BYTES, block++) {
      const end = Math.min(offset + BLOCK_BYTES, current.byteLength);
      if (current.compare(shadow, offset, end, offset, end) === 0) continue;
      if (readBlocks !== undefined && readBlocks[block] === 0 && allFinite(mirrored.values, offset >>> 3, end >>> 3)) {
        this.bytesHeldBack += end - offset;
        mirrored.heldBack = true;
        continue;
      }
      const last = ranges.at(-1);
      if (last !== undefined && last[0] + last[1] === offset) last[1] = end - last[0];
      else ranges.push([offset, end - offset]);
    }
    return ranges;
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
    if (!this.mirrors(name)) {
      throw new Error(`${this.where}: a segment frame for "${name}", which is not component ${this.component}'s`);
    }
    let mirrored = this.mirrored.get(name);
    if (mirrored === undefined) {
      const known = this.run.segments().some((entry) => entry.name === name);
      const segment = known ? this.run.openSegment(name) : this.run.createSegment(name, size, kind);
      mirrored = {
        segment,
        shadow: Buffer.alloc(segment.payloadSize),
        known: true,
        readBlocks: undefined,
        heldBack: false,
        values: valuesOf(segment),
      };
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
      if (mirrored.heldBack) mergeHeldBack(target, mirrored.shadow, bytes, offset);
      else target.set(bytes, offset);
      bytes.copy(mirrored.shadow, offset);
      this.bytesReceived += length;
      at = start + length;
    }
  }

  private opened(name: string): Mirrored {
    let mirrored = this.mirrored.get(name);
    if (mirrored === undefined) {
      const segment = this.run.openSegment(name);
      mirrored = {
        segment,
        shadow: Buffer.alloc(segment.payloadSize),
        known: false,
        readBlocks: this.readBlocksOf(name, segment.payloadSize),
        heldBack: false,
        values: valuesOf(segment),
      };
      this.mirrored.set(name, mirrored);
    }
    return mirrored;
  }

  close(): void {
    for (const mirrored of this.mirrored.values()) mirrored.segment.close();
    this.mirrored.clear();
  }
}

/** The segment's payload as doubles (it starts on a cache line); a last partial double is left out. */
function valuesOf(segment: Segment): Float64Array {
  return new Float64Array(segment.buffer, segment.payloadOffset, segment.payloadSize >>> 3);
}

function header(name: Buffer, kind: number, size: number): Buffer {
  const head = Buffer.allocUnsafe(HEAD_BYTES + name.byteLength);
  head.writeUInt32LE(name.byteLength, 0);
  head.writeUInt32LE(kind, 4);
  head.writeUInt32LE(size, 8);
  head.set(name, HEAD_BYTES);
  return head;
}

/**
 * Writes into `target` at `offset` what the other side changed in `incoming`: the bytes that differ from the
 * shadow (what it had from here). Its block of a field this side holds back carries that field as this side last
 * sent it, which must not overwrite what the component has written since.
 */
function mergeHeldBack(target: Uint8Array, shadow: Buffer, incoming: Buffer, offset: number): void {
  for (let at = 0; at < incoming.byteLength; at += BLOCK_BYTES) {
    const end = Math.min(at + BLOCK_BYTES, incoming.byteLength);
    if (incoming.compare(shadow, offset + at, offset + end, at, end) === 0) continue;
    for (let index = at; index < end; index++) {
      const byte = incoming[index] as number;
      if (byte !== shadow[offset + index]) target[offset + index] = byte;
    }
  }
}

/** Whether values[start..end) are all finite. */
function allFinite(values: Float64Array, start: number, end: number): boolean {
  for (let index = start; index < end; index++) {
    const value = values[index] as number;
    // NaN − NaN and ∞ − ∞ are NaN; every finite value minus itself is 0.
    if (value - value !== 0) return false;
  }
  return true;
}
