// The ring's layout, described here and in docs/wire-format.md ("Command ring",
// version 1) and nowhere else. A ring is a single-producer/single-consumer
// queue of fixed 64-byte records inside a segment. The producer's counter and
// the consumer's counter live on cache lines of their own, so each side writes
// only its own line on the fast path (the Agrona / LMAX layout).

export const RING_MAGIC = 0x474e4952; // "RING"
export const RING_LAYOUT_VERSION = 1;
export const CACHE_LINE = 64;
export const RECORD_SIZE = 64;
export const RECORD_WORDS = RECORD_SIZE / 4;

/** Byte offsets from the start of a ring. */
export const RingOffset = {
  // Producer's line: written by the producer on every send.
  tail: 0,
  /** Set by a consumer about to sleep on `tail`; the producer wakes it after publishing. */
  consumerSleeping: 4,
  producerClosed: 8,
  // Consumer's line: written by the consumer on every receive.
  head: 64,
  /** Set by a producer about to sleep on `head` (ring full); the consumer wakes it. */
  producerSleeping: 68,
  consumerClosed: 72,
  // Read-only after formatting.
  magic: 128,
  version: 132,
  capacity: 136,
  recordSize: 140,
  records: 192,
} as const;

/** Word offsets inside a record (32-bit words). */
export const RecordWord = {
  /** The record's sequence number: the tail value it was published at. */
  sequence: 0,
  /** Opcode in the low 16 bits, flags in the high 16 bits. */
  opcodeAndFlags: 1,
  /** Bytes of inline payload in use, 0..48. */
  length: 2,
  /** For replies: the sequence number of the request answered. */
  correlation: 3,
  payload: 4,
} as const;

export const PAYLOAD_BYTES = RECORD_SIZE - RecordWord.payload * 4;
export const PAYLOAD_FLOAT64S = PAYLOAD_BYTES / 8;

export function ringBytes(capacity: number): number {
  return RingOffset.records + capacity * RECORD_SIZE;
}

export function checkCapacity(capacity: number): void {
  if (!Number.isInteger(capacity) || capacity < 2 || capacity > 1 << 20 || (capacity & (capacity - 1)) !== 0) {
    throw new RangeError(`ring capacity ${capacity} must be a power of two between 2 and 1048576`);
  }
}
