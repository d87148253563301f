// The guest agent's side of the second serial port, read on the host: frames of
// ESC 'C', a type byte, a 4-byte little-endian length and the payload
// (docs/vm.md, "Console frames"). The component's stdout and stderr share one
// serial line, so each chunk says which stream it belongs to.

export const FrameType = {
  stdout: 0x6f, // 'o'
  stderr: 0x65, // 'e'
  agent: 0x61, // 'a': a note from the agent itself
  running: 0x72, // 'r': the component was started; payload its guest pid
  exit: 0x78, // 'x': "code N", "signal N" or "launch <why>"
} as const;

const HEADER_BYTES = 7;

export type FrameHandler = (type: number, payload: Buffer) => void;

export class ConsoleFrameReader {
  private pending: Buffer = Buffer.alloc(0);

  /** `onFrame` gets every complete frame; `onNoise` bytes that are not framed (a guest that never ran the agent). */
  constructor(
    private readonly onFrame: FrameHandler,
    private readonly onNoise: (bytes: Buffer) => void,
  ) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let at = 0;
    while (this.pending.length - at >= 2) {
      if (this.pending[at] !== 0x1b || this.pending[at + 1] !== 0x43) {
        const next = this.pending.indexOf(0x1b, at + 1);
        const end = next < 0 ? this.pending.length : next;
        this.onNoise(this.pending.subarray(at, end));
        at = end;
        continue;
      }
      if (this.pending.length - at < HEADER_BYTES) break;
      const length = this.pending.readUInt32LE(at + 3);
      if (this.pending.length - at < HEADER_BYTES + length) break;
      const type = this.pending[at + 2] ?? 0;
      this.onFrame(type, this.pending.subarray(at + HEADER_BYTES, at + HEADER_BYTES + length));
      at += HEADER_BYTES + length;
    }
    this.pending = at === 0 ? this.pending : Buffer.from(this.pending.subarray(at));
  }
}

/** Not a frame: bytes a guest wrote outside the framing (its kernel, a guest that never ran the agent). */
export const NOISE_EVENT = 0;

/**
 * The console as the output relay reads it (enclave/output-relay.ts): the
 * component's stdout frames are stream 0, its stderr frames stream 1;
 * every other frame is an event of its type, and unframed bytes are NOISE_EVENT.
 */
export function createDemultiplexer(
  onStream: (stream: number, bytes: Uint8Array) => void,
  onEvent: (type: number, payload: Uint8Array) => void,
): { push(chunk: Uint8Array): void } {
  const reader = new ConsoleFrameReader(
    (type, payload) => {
      if (type === FrameType.stdout) onStream(0, payload);
      else if (type === FrameType.stderr) onStream(1, payload);
      else onEvent(type, payload);
    },
    (noise) => onEvent(NOISE_EVENT, noise),
  );
  return { push: (chunk) => reader.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length)) };
}
