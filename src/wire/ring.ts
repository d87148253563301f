// The ring's layout, described here and in docs/wire-format.md ("Command ring",
// version 2) and nowhere else. A ring is a single-producer/single-consumer
// queue of fixed 64-byte records inside a segment. The producer's counter and
// the consumer's counter live on cache lines of their own, so each side writes
// only its own line on the fast path (the Agrona / LMAX layout); and the
// consumer waits on the sequence word of the record it expects, in the record's
// own line, so that one cache line moves per message and direction (version 1
// polled the tail, which moved the producer's line as well).

export const RING_MAGIC = 0x474e4952; // "RING"
export const RING_LAYOUT_VERSION = 2;
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
  /**
   * The record's number s (record s lives in slot s mod capacity), stored last, with release semantics: it
   * publishes the record. Before the slot's first record it holds the slot's index − capacity (formatRing), so
   * a slot's sequence is always the number of the record it holds now or of the one a capacity before.
   */
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

/**
 * What slot `index`'s sequence holds before its first record: the number of the record a capacity before
 * (mod 2³²), which no record that slot will hold next can carry.
 */
export function unusedSequence(index: number, capacity: number): number {
  return (index - capacity) | 0;
}

export function checkCapacity(capacity: number): void {
  if (!Number.isInteger(capacity) || capacity < 2 || capacity > 1 << 20 || (capacity & (capacity - 1)) !== 0) {
    throw new RangeError(`ring capacity ${capacity} must be a power of two between 2 and 1048576`);
  }
}
