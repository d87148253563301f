// A command record as the program sees it. One Message is allocated by the
// caller and reused for every send and receive, so the hot path allocates
// nothing: sending copies the 64-byte record in, receiving copies it out.
import { PAYLOAD_BYTES, PAYLOAD_FLOAT64S } from "../wire/ring.ts";

export class Message {
  opcode = 0;
  flags = 0;
  /** Filled in by a send with the record's sequence number; read by a receiver. */
  sequence = 0;
  /** The sequence number of the request a reply answers (0 otherwise). */
  correlation = 0;
  /** Bytes of `payload` in use. */
  length = 0;
  /** The inline payload: 48 bytes, seen as six doubles, twelve int32s or bytes. */
  readonly payload = new Float64Array(PAYLOAD_FLOAT64S);
  readonly words = new Int32Array(this.payload.buffer);
  readonly bytes = new Uint8Array(this.payload.buffer);

  /** Sets opcode and up to two numeric arguments; the common shape of a command. */
  set(opcode: number, first = 0, second = 0): this {
    this.opcode = opcode;
    this.flags = 0;
    this.correlation = 0;
    this.payload[0] = first;
    this.payload[1] = second;
    this.length = 16;
    return this;
  }
}

export const MAX_PAYLOAD_BYTES = PAYLOAD_BYTES;
