// Frames over TCP: [u32 payload length][u8 type][3 reserved bytes][payload],
// little-endian. One connection carries one component: the relay on the
// driver's node at one end, the agent of the component's node at the other.
// A frame is read whole before it is acted on; a length above the limit is a
// corrupt or foreign peer, and ends the connection by name.

export const FrameType = {
  /** relay → agent: JSON, the component's launch (what the driver's process enclave would have run). */
  launch: 1,
  /** agent → relay: JSON { pid }, the component started. */
  launched: 2,
  /** agent → relay: JSON { code, signal, cause, error? }, the component ended. */
  exit: 3,
  /** both ways: a command record (record-codec.ts). */
  record: 4,
  /** both ways: a segment's payload (segment-mirror.ts), sent before the record that passes the turn. */
  segment: 5,
  /** relay → agent: JSON { graceMs }, stop the component. */
  stop: 6,
  /** both ways: nothing but "alive". */
  heartbeat: 7,
  /** agent → relay: the component's output, UTF-8, as it came. */
  output: 8,
  /** relay → agent: the byte ranges of the component's segments the driver reads (wire/read-ranges.ts), once. */
  reads: 9,
  /** relay → agent: the operators to apply on the component's node (wire/remote-operators.ts), once. */
  operators: 10,
} as const;

export const FRAME_HEADER_BYTES = 8;
/** The largest payload a frame may have: a segment of a large mesh fits; anything beyond is not ours. */
export const MAX_FRAME_PAYLOAD = 1 << 30;

export function encodeFrame(type: number, payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.byteLength);
  frame.writeUInt32LE(payload.byteLength, 0);
  frame.writeUInt32LE(type, 4);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

export function jsonFrame(type: number, value: unknown): Buffer {
  return encodeFrame(type, Buffer.from(JSON.stringify(value), "utf8"));
}

/**
 * Collects a stream's chunks into frames, in order; a frame too large for its header throws. Chunks are joined
 * only once a whole frame is there, so a frame of many chunks (a large mesh's segment) is copied once, not once
 * per chunk.
 */
export class FrameReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** The frame under way's whole size (header and payload), once its header has come; 0 before. */
  private expected = 0;

  constructor(
    private readonly onFrame: (type: number, payload: Buffer) => void,
    private readonly where: string,
  ) {}

  push(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.byteLength;
    for (;;) {
      if (this.expected === 0) {
        if (this.pendingBytes < FRAME_HEADER_BYTES) return;
        const head = this.joined();
        const length = head.readUInt32LE(0);
        if (length > MAX_FRAME_PAYLOAD) {
          throw new Error(`${this.where}: a frame of ${length} bytes, above ${MAX_FRAME_PAYLOAD}: not a conflux peer`);
        }
        this.expected = FRAME_HEADER_BYTES + length;
      }
      if (this.pendingBytes < this.expected) return;
      const bytes = this.joined();
      const frame = bytes.subarray(0, this.expected);
      const rest = bytes.subarray(this.expected);
      this.pending = rest.byteLength > 0 ? [rest] : [];
      this.pendingBytes = rest.byteLength;
      this.expected = 0;
      this.onFrame(frame.readUInt32LE(4), frame.subarray(FRAME_HEADER_BYTES));
    }
  }

  /** The pending chunks as one buffer (joined once, and kept joined). */
  private joined(): Buffer {
    if (this.pending.length !== 1) this.pending = [Buffer.concat(this.pending, this.pendingBytes)];
    return this.pending[0] as Buffer;
  }
}
