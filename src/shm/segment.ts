// A segment: one shared mapping that begins with a versioned header (see
// wire/segment-header.ts). Views over the payload are plain typed arrays on
// the mapping, so reads and writes from any process that maps it are seen by
// all. Every mapping is guarded against truncation by another process (see
// truncation.ts) and its space reserved when it is created (space.ts).
import { isNativeError, native } from "../native/index.ts";
import {
  HEADER_SIZE,
  type HeaderExpectation,
  readHeader,
  type SegmentHeader,
  SegmentKind,
  writeHeader,
} from "../wire/segment-header.ts";
import { noRoomFor } from "./space.ts";
import { guardTruncated, type Truncation, type TruncationWitness, unwatchMapping, watchMapping } from "./truncation.ts";

/** Segments are private to the user who runs the composition. */
export const SEGMENT_MODE = 0o600;

export interface SegmentCreation {
  path: string;
  name: string;
  payloadSize: number;
  runId: string;
  kind?: SegmentKind;
}

export class Segment implements TruncationWitness {
  /** This mapping's slot in the truncation flags (native.mappingGuard); -1 for memory the addon did not map. */
  readonly guard: number;

  private constructor(
    /** The file this segment lives in. */
    readonly path: string,
    /** The whole mapping: header and payload (and, in an arena, other segments). */
    readonly buffer: ArrayBuffer,
    /** Where this segment's header starts inside `buffer`. */
    readonly byteOffset: number,
    readonly header: SegmentHeader,
  ) {
    this.guard = native.mappingGuard(buffer);
    if (this.guard >= 0) watchMapping(this);
  }

  get name(): string {
    return this.header.name;
  }

  get payloadSize(): number {
    return this.header.payloadSize;
  }

  /** Byte offset of the payload inside `buffer`; 64-byte aligned. */
  get payloadOffset(): number {
    return this.byteOffset + this.header.headerSize;
  }

  /** Creates the file (it must not exist), writes the header, and maps it. */
  static create(spec: SegmentCreation): Segment {
    if (!Number.isSafeInteger(spec.payloadSize) || spec.payloadSize < 0) {
      throw new RangeError(`segment "${spec.name}": payload size ${spec.payloadSize} is not a non-negative integer`);
    }
    let buffer: ArrayBuffer;
    try {
      buffer = native.create(spec.path, HEADER_SIZE + spec.payloadSize, SEGMENT_MODE);
    } catch (error) {
      if (isNativeError(error) && error.code === "ENOSPC") {
        throw noRoomFor(`segment "${spec.name}"`, spec.path, HEADER_SIZE + spec.payloadSize);
      }
      throw error;
    }
    const header = {
      payloadSize: spec.payloadSize,
      creatorPid: process.pid,
      kind: spec.kind ?? SegmentKind.raw,
      runId: spec.runId,
      createdUnixMs: Date.now(),
      name: spec.name,
    };
    try {
      writeHeader(buffer, 0, header);
    } catch (error) {
      native.unmap(buffer);
      native.unlink(spec.path);
      throw error;
    }
    return new Segment(spec.path, buffer, 0, { ...header, layoutVersion: 1, headerSize: HEADER_SIZE });
  }

  /** Maps an existing segment file and checks its header. */
  static open(path: string, expect: HeaderExpectation = {}): Segment {
    let buffer: ArrayBuffer;
    try {
      buffer = native.open(path, true);
    } catch (error) {
      if (isNativeError(error) && error.code === "ENOENT") {
        throw new Error(`segment ${path} does not exist: its run has ended or the name is wrong`);
      }
      if (isNativeError(error) && (error.code === "ELOOP" || error.code === "ENOTREG")) {
        throw new Error(
          `segment ${path} is ${error.code === "ELOOP" ? "a symbolic link" : "not a regular file"}; a segment is a file of its run`,
        );
      }
      throw error;
    }
    return Segment.attach(buffer, 0, buffer.byteLength, path, expect);
  }

  /**
   * Re-attaches to a segment inside a mapping that is already there (a file
   * mapped by someone else, or an arena holding several segments) without copying.
   */
  static attach(
    buffer: ArrayBuffer,
    byteOffset: number,
    length: number,
    path: string,
    expect: HeaderExpectation = {},
  ): Segment {
    try {
      const header = readHeader(buffer, byteOffset, length, path, expect);
      return new Segment(path, buffer, byteOffset, header);
    } catch (error) {
      if (byteOffset === 0) native.unmap(buffer);
      throw error;
    }
  }

  /** A Float64Array over `count` payload values starting at payload byte `offset` (8-aligned). */
  float64(offset: number, count: number): Float64Array {
    this.checkRange(offset, count * 8, 8);
    return new Float64Array(this.buffer, this.payloadOffset + offset, count);
  }

  /** An Int32Array over the payload, for Atomics and futex words. */
  int32(offset: number, count: number): Int32Array {
    this.checkRange(offset, count * 4, 4);
    return new Int32Array(this.buffer, this.payloadOffset + offset, count);
  }

  bytes(offset = 0, length = this.payloadSize - offset): Uint8Array {
    this.checkRange(offset, length, 1);
    return new Uint8Array(this.buffer, this.payloadOffset + offset, length);
  }

  /** Header plus payload: the bytes of the file (from `byteOffset`) this segment needs. */
  get byteLength(): number {
    return this.header.headerSize + this.header.payloadSize;
  }

  /**
   * Whether another process shrank the file under this segment: marked by the SIGBUS handler, or, with
   * `measure`, found short by fstat (a shrink within the last page raises no SIGBUS). Undefined when intact.
   */
  truncation(measure: boolean): Truncation | undefined {
    const marked = guardTruncated(this.guard);
    if (!marked && !measure) return undefined;
    const fileBytes = native.mappedFileBytes(this.buffer);
    if (fileBytes < 0) return undefined;
    const bytes = this.byteLength;
    const heldBytes = Math.min(bytes, Math.max(0, fileBytes - this.byteOffset));
    if (!marked && heldBytes >= bytes) return undefined;
    return { name: this.name, path: this.path, heldBytes, bytes };
  }

  /** Releases this process's mapping; the file stays until its run removes it. */
  close(): void {
    unwatchMapping(this);
    if (this.byteOffset === 0) native.unmap(this.buffer);
  }

  private checkRange(offset: number, length: number, alignment: number): void {
    if (offset % alignment !== 0 || offset < 0 || length < 0 || offset + length > this.payloadSize) {
      throw new RangeError(
        `segment "${this.name}": bytes ${offset}..${offset + length} (alignment ${alignment}) fall outside its ${this.payloadSize}-byte payload`,
      );
    }
  }
}
