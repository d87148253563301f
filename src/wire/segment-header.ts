// The segment header: the first HEADER_SIZE bytes of every segment, described in
// this one module and in docs/wire-format.md ("Segment header", version 1).
// Every other module reads and writes headers through these functions.

/** "CFLX" in memory order on a little-endian machine. */
export const SEGMENT_MAGIC = 0x584c4643;
/** Written in the creator's byte order; reads back swapped on a foreign-endian reader. */
export const BYTE_ORDER_MARK = 0x01020304;
export const SEGMENT_LAYOUT_VERSION = 1;
/** A multiple of the 64-byte cache line, so payloads start cache-aligned. */
export const HEADER_SIZE = 256;
export const MAX_NAME_BYTES = 96;
export const RUN_ID_BYTES = 16;

/** What a segment holds; a reader that expects one kind refuses another. */
export const SegmentKind = {
  raw: 0,
  registry: 1,
  ring: 2,
  mesh: 3,
  arena: 4,
  /** A field's samples in time, one window at a time (wire/waveform.ts). */
  waveform: 5,
  /** A mesh published double-buffered for readers that run on their own (wire/snapshot.ts). */
  snapshot: 6,
} as const;
export type SegmentKind = (typeof SegmentKind)[keyof typeof SegmentKind];

export const HeaderOffset = {
  magic: 0,
  byteOrder: 4,
  layoutVersion: 8,
  headerSize: 12,
  payloadSize: 16,
  creatorPid: 24,
  kind: 28,
  runId: 32,
  createdUnixMs: 48,
  nameLength: 56,
  name: 64,
} as const;

export interface SegmentHeader {
  layoutVersion: number;
  headerSize: number;
  payloadSize: number;
  creatorPid: number;
  kind: SegmentKind;
  runId: string;
  createdUnixMs: number;
  name: string;
}

export type HeaderProblem = "truncated" | "foreign" | "byte-order" | "version" | "kind" | "run";

/** A segment whose header cannot be trusted; `problem` says which check failed. */
export class SegmentHeaderError extends Error {
  constructor(
    readonly problem: HeaderProblem,
    readonly where: string,
    message: string,
  ) {
    super(`segment ${where}: ${message}`);
    this.name = "SegmentHeaderError";
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

function byteSwap32(value: number): number {
  return (((value & 0xff) << 24) | ((value & 0xff00) << 8) | ((value >>> 8) & 0xff00) | ((value >>> 24) & 0xff)) >>> 0;
}

export function encodeName(name: string, what = "segment name"): Uint8Array {
  const bytes = encoder.encode(name);
  if (bytes.length === 0 || bytes.length > MAX_NAME_BYTES) {
    throw new RangeError(`${what} "${name}" must be 1 to ${MAX_NAME_BYTES} bytes of UTF-8; it is ${bytes.length}`);
  }
  return bytes;
}

/**
 * Writes a header at `offset` of `buffer`. The magic is stored last, with a
 * release store, so a reader that sees it also sees every other field.
 */
export function writeHeader(
  buffer: ArrayBuffer,
  offset: number,
  header: Omit<SegmentHeader, "layoutVersion" | "headerSize">,
): void {
  const view = new DataView(buffer, offset, HEADER_SIZE);
  const nameBytes = encodeName(header.name);
  const runIdBytes = encoder.encode(header.runId);
  if (runIdBytes.length !== RUN_ID_BYTES) {
    throw new RangeError(`run id "${header.runId}" must be ${RUN_ID_BYTES} ASCII characters`);
  }
  new Uint8Array(buffer, offset, HEADER_SIZE).fill(0);
  // Native order on purpose: this field is how a reader learns the writer's order.
  new Uint32Array(buffer, offset + HeaderOffset.byteOrder, 1)[0] = BYTE_ORDER_MARK;
  view.setUint32(HeaderOffset.layoutVersion, SEGMENT_LAYOUT_VERSION, true);
  view.setUint32(HeaderOffset.headerSize, HEADER_SIZE, true);
  view.setBigUint64(HeaderOffset.payloadSize, BigInt(header.payloadSize), true);
  view.setUint32(HeaderOffset.creatorPid, header.creatorPid, true);
  view.setUint32(HeaderOffset.kind, header.kind, true);
  new Uint8Array(buffer, offset + HeaderOffset.runId, RUN_ID_BYTES).set(runIdBytes);
  view.setFloat64(HeaderOffset.createdUnixMs, header.createdUnixMs, true);
  view.setUint32(HeaderOffset.nameLength, nameBytes.length, true);
  new Uint8Array(buffer, offset + HeaderOffset.name, MAX_NAME_BYTES).set(nameBytes);
  Atomics.store(new Int32Array(buffer, offset, 1), 0, SEGMENT_MAGIC | 0);
}

export interface HeaderExpectation {
  kind?: SegmentKind;
  runId?: string;
}

/**
 * Reads and checks the header at `offset`; `available` is how many bytes the
 * mapping holds from `offset` on. Each failed check raises its own message.
 */
export function readHeader(
  buffer: ArrayBuffer,
  offset: number,
  available: number,
  where: string,
  expect: HeaderExpectation = {},
): SegmentHeader {
  if (available < HeaderOffset.layoutVersion + 4) {
    throw new SegmentHeaderError(
      "truncated",
      where,
      `truncated: ${available} bytes, too short to hold a segment header (${HEADER_SIZE} bytes). It was not created by conflux or its creator died while creating it; remove it with \`conflux clean\`.`,
    );
  }
  const view = new DataView(buffer, offset, available);
  const magic = Atomics.load(new Int32Array(buffer, offset, 1), 0) >>> 0;
  const byteOrder = new Uint32Array(buffer, offset + HeaderOffset.byteOrder, 1)[0] ?? 0;
  if (magic === byteSwap32(SEGMENT_MAGIC) || (magic === SEGMENT_MAGIC && byteOrder === byteSwap32(BYTE_ORDER_MARK))) {
    throw new SegmentHeaderError(
      "byte-order",
      where,
      "written in the other byte order (big-endian). Segments are shared only between processes on one host of one byte order; create it on this host.",
    );
  }
  if (magic !== SEGMENT_MAGIC) {
    throw new SegmentHeaderError(
      "foreign",
      where,
      `not a conflux segment (magic 0x${magic.toString(16).padStart(8, "0")}, expected 0x${SEGMENT_MAGIC.toString(16)} "CFLX"). Check the name or path; another program owns this memory.`,
    );
  }
  if (byteOrder !== BYTE_ORDER_MARK) {
    throw new SegmentHeaderError("foreign", where, `byte-order mark 0x${byteOrder.toString(16)} is corrupt.`);
  }
  const layoutVersion = view.getUint32(HeaderOffset.layoutVersion, true);
  if (layoutVersion !== SEGMENT_LAYOUT_VERSION) {
    throw new SegmentHeaderError(
      "version",
      where,
      `segment layout version ${layoutVersion}, but this conflux reads version ${SEGMENT_LAYOUT_VERSION}. Run every component of a run with the same conflux release.`,
    );
  }
  if (available < HEADER_SIZE) {
    throw new SegmentHeaderError(
      "truncated",
      where,
      `truncated: ${available} bytes, shorter than its ${HEADER_SIZE}-byte header. Remove it with \`conflux clean\` and start the run again.`,
    );
  }
  const headerSize = view.getUint32(HeaderOffset.headerSize, true);
  const payloadSize = Number(view.getBigUint64(HeaderOffset.payloadSize, true));
  if (headerSize !== HEADER_SIZE) {
    throw new SegmentHeaderError(
      "foreign",
      where,
      `header size ${headerSize}, expected ${HEADER_SIZE}: the header is corrupt.`,
    );
  }
  if (available < headerSize + payloadSize) {
    throw new SegmentHeaderError(
      "truncated",
      where,
      `truncated: the header announces ${payloadSize} payload bytes but only ${available - headerSize} are there. Remove it with \`conflux clean\` and start the run again.`,
    );
  }
  const nameLength = view.getUint32(HeaderOffset.nameLength, true);
  if (nameLength === 0 || nameLength > MAX_NAME_BYTES) {
    throw new SegmentHeaderError(
      "foreign",
      where,
      `name length ${nameLength} is outside 1..${MAX_NAME_BYTES}: the header is corrupt.`,
    );
  }
  let name: string;
  let runId: string;
  try {
    name = decoder.decode(new Uint8Array(buffer, offset + HeaderOffset.name, nameLength));
    runId = decoder.decode(new Uint8Array(buffer, offset + HeaderOffset.runId, RUN_ID_BYTES));
  } catch {
    throw new SegmentHeaderError("foreign", where, "its name or run id is not valid UTF-8: the header is corrupt.");
  }
  const kind = view.getUint32(HeaderOffset.kind, true) as SegmentKind;
  if (expect.kind !== undefined && kind !== expect.kind) {
    throw new SegmentHeaderError(
      "kind",
      where,
      `holds a ${kindName(kind)}, not a ${kindName(expect.kind)}. Check the segment name.`,
    );
  }
  if (expect.runId !== undefined && runId !== expect.runId) {
    throw new SegmentHeaderError(
      "run",
      where,
      `belongs to run ${runId}, not to run ${expect.runId}. A stale segment of an earlier run is in the way; run \`conflux clean\`.`,
    );
  }
  return {
    layoutVersion,
    headerSize,
    payloadSize,
    creatorPid: view.getUint32(HeaderOffset.creatorPid, true),
    kind,
    runId,
    createdUnixMs: view.getFloat64(HeaderOffset.createdUnixMs, true),
    name,
  };
}

export function kindName(kind: number): string {
  for (const [name, value] of Object.entries(SegmentKind)) {
    if (value === kind) return name;
  }
  return `unknown kind ${kind}`;
}
