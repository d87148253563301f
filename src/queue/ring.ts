// A single-producer/single-consumer ring of 64-byte command records in shared
// memory (layout: wire/ring.ts). The producer writes a record, publishes it by
// storing its sequence, then stores the tail; the consumer waits on the
// sequence word of the record it expects, copies the record out, then frees the
// slot by storing the head. The consumer reads the tail only to sleep on it and
// to check it (once a millisecond while spinning, and before each sleep), and
// the producer reads the head only when the ring looks full, so a message moves
// the record's cache line and nothing else, and makes no system call.
import { native } from "../native/index.ts";
import { guardTruncated, SegmentTruncatedError, truncationOfGuard } from "../shm/truncation.ts";
import {
  checkCapacity,
  PAYLOAD_BYTES,
  PAYLOAD_FLOAT64S,
  RECORD_SIZE,
  RECORD_WORDS,
  RecordWord,
  RING_LAYOUT_VERSION,
  RING_MAGIC,
  RingOffset,
  ringBytes,
  unusedSequence,
} from "../wire/ring.ts";
import {
  CorruptRecordError,
  InterruptedError,
  PeerClosedError,
  PeerDiedError,
  type PeerIdentity,
  QueueError,
  QueueTimeoutError,
} from "./errors.ts";
import type { Message } from "./message.ts";
import type { PeerLiveness } from "./peer.ts";
import type { WaitStrategy } from "./wait-strategy.ts";
import { Waiter, WaitStatus } from "./waiter.ts";

/**
 * Writes a ring's configuration at `byteOffset` (64-byte aligned) of `buffer`, zeroing its counters and giving
 * each slot the sequence that cannot be its next record's (wire/ring.ts, `unusedSequence`).
 */
export function formatRing(buffer: ArrayBuffer, byteOffset: number, capacity: number): void {
  checkCapacity(capacity);
  new Uint8Array(buffer, byteOffset, ringBytes(capacity)).fill(0);
  const view = new DataView(buffer, byteOffset);
  for (let slot = 0; slot < capacity; slot++) {
    view.setInt32(
      RingOffset.records + slot * RECORD_SIZE + RecordWord.sequence * 4,
      unusedSequence(slot, capacity),
      true,
    );
  }
  view.setUint32(RingOffset.version, RING_LAYOUT_VERSION, true);
  view.setUint32(RingOffset.capacity, capacity, true);
  view.setUint32(RingOffset.recordSize, RECORD_SIZE, true);
  Atomics.store(new Int32Array(buffer, byteOffset + RingOffset.magic, 1), 0, RING_MAGIC);
}

/**
 * Reads and checks a ring's configuration; returns its capacity. With `expectedCapacity` (a channel's control
 * line says it), any other capacity is refused: a larger one would reach into the next ring.
 */
export function readRingCapacity(
  buffer: ArrayBuffer,
  byteOffset: number,
  where: string,
  expectedCapacity?: number,
): number {
  if (byteOffset % 64 !== 0 || byteOffset + RingOffset.records > buffer.byteLength) {
    throw new CorruptRecordError(`${where}: no ring fits at byte ${byteOffset} of a ${buffer.byteLength}-byte mapping`);
  }
  const view = new DataView(buffer, byteOffset);
  const magic = Atomics.load(new Int32Array(buffer, byteOffset + RingOffset.magic, 1), 0) >>> 0;
  if (magic !== RING_MAGIC) {
    throw new CorruptRecordError(
      `${where}: not a command ring (magic 0x${magic.toString(16)}); the channel segment is corrupt or not yet formatted`,
    );
  }
  const version = view.getUint32(RingOffset.version, true);
  if (version !== RING_LAYOUT_VERSION) {
    throw new CorruptRecordError(
      `${where}: ring layout version ${version}, this conflux speaks ${RING_LAYOUT_VERSION}; use one conflux release for every component`,
    );
  }
  const capacity = view.getUint32(RingOffset.capacity, true);
  const recordSize = view.getUint32(RingOffset.recordSize, true);
  if (recordSize !== RECORD_SIZE)
    throw new CorruptRecordError(`${where}: record size ${recordSize}, expected ${RECORD_SIZE}`);
  try {
    checkCapacity(capacity);
  } catch (error) {
    throw new CorruptRecordError(`${where}: ${(error as Error).message}; the channel segment is corrupt`);
  }
  if (expectedCapacity !== undefined && capacity !== expectedCapacity) {
    throw new CorruptRecordError(
      `${where}: a ring of ${capacity} records where the channel's control line says ${expectedCapacity}; the channel segment is corrupt`,
    );
  }
  if (byteOffset + ringBytes(capacity) > buffer.byteLength) {
    throw new CorruptRecordError(
      `${where}: a ring of ${capacity} records does not fit in its ${buffer.byteLength}-byte mapping`,
    );
  }
  return capacity;
}

/** Where a ring end attaches, the same for both ends of a ring. */
export interface RingAttachment {
  buffer: ArrayBuffer;
  /** Where the ring starts in `buffer`. */
  byteOffset: number;
  /** What errors call the ring, e.g. `channel "appA" (driver side)`. */
  where: string;
  strategy: WaitStrategy;
  /** Whether the other end still runs; null: not watched. */
  peer: PeerLiveness | null;
  /** The capacity the channel's control line gives the ring, checked against the ring's own. */
  expectedCapacity?: number;
}

/** The fields both ends share: word indices of the counters and flags. */
class RingEnd {
  protected readonly buffer: ArrayBuffer;
  protected readonly byteOffset: number;
  readonly where: string;
  protected readonly peer: PeerLiveness | null;
  protected readonly words: Int32Array;
  protected readonly doubles: Float64Array;
  protected readonly capacity: number;
  protected readonly mask: number;
  protected readonly tailIndex: number;
  protected readonly headIndex: number;
  protected readonly consumerSleepingIndex: number;
  protected readonly producerSleepingIndex: number;
  protected readonly producerClosedIndex: number;
  protected readonly consumerClosedIndex: number;
  /** Word index of record 0. */
  protected readonly recordsIndex: number;
  protected readonly waiter: Waiter;
  protected readonly timeoutNs: number;

  constructor(attachment: RingAttachment, consumer: boolean) {
    const { buffer, byteOffset, where, strategy, peer } = attachment;
    this.buffer = buffer;
    this.byteOffset = byteOffset;
    this.where = where;
    this.peer = peer;
    this.capacity = readRingCapacity(buffer, byteOffset, where, attachment.expectedCapacity);
    this.mask = this.capacity - 1;
    this.words = new Int32Array(buffer, 0, buffer.byteLength >>> 2);
    this.doubles = new Float64Array(buffer, 0, buffer.byteLength >>> 3);
    const base = byteOffset >>> 2;
    this.tailIndex = base + (RingOffset.tail >>> 2);
    this.headIndex = base + (RingOffset.head >>> 2);
    this.consumerSleepingIndex = base + (RingOffset.consumerSleeping >>> 2);
    this.producerSleepingIndex = base + (RingOffset.producerSleeping >>> 2);
    this.producerClosedIndex = base + (RingOffset.producerClosed >>> 2);
    this.consumerClosedIndex = base + (RingOffset.consumerClosed >>> 2);
    this.recordsIndex = base + (RingOffset.records >>> 2);
    // A producer spins and sleeps on head; a consumer spins on the sequence of the record it expects and sleeps on
    // tail, which may trail its head by one (the producer stores a record's sequence before the tail).
    this.waiter = new Waiter(
      buffer,
      this.words,
      strategy,
      peer,
      consumer
        ? {
            sleepIndex: this.tailIndex,
            sleepLag: 1,
            sleepingIndex: this.consumerSleepingIndex,
            peerClosedIndex: this.producerClosedIndex,
          }
        : {
            sleepIndex: this.headIndex,
            sleepLag: 0,
            sleepingIndex: this.producerSleepingIndex,
            peerClosedIndex: this.consumerClosedIndex,
          },
    );
    this.timeoutNs = strategy.timeoutNs;
  }

  /**
   * Counters another process writes are checked where they are read: 0 ≤ tail − head ≤ capacity (mod 2³²), or
   * the slot a record is read from or written to is not one the protocol allows.
   */
  protected corruptCounters(tail: number, head: number, lowest = 0): never {
    this.throwIfTruncated();
    const peer = this.peer?.identity().description ?? "the peer";
    throw new CorruptRecordError(
      `${this.where}: ring counters are corrupt: tail ${tail >>> 0}, head ${head >>> 0} in a ring of ${this.capacity} records (${lowest} ≤ tail − head ≤ ${this.capacity} must hold). Something other than ${peer}'s side of the channel wrote them.`,
    );
  }

  /** A truncated ring reads as zeros (the SIGBUS handler's page): then the truncation is the cause of what looks corrupt. */
  protected throwIfTruncated(): void {
    const truncation = truncationOfGuard(this.waiter.guard);
    if (truncation !== undefined) throw new SegmentTruncatedError(truncation);
  }

  protected failure(status: WaitStatus, what: string, timeoutNs: number): Error {
    const peer: PeerIdentity = this.peer?.identity() ?? { description: "the peer", pid: 0 };
    const pid = peer.pid > 0 ? ` (pid ${peer.pid})` : "";
    switch (status) {
      case WaitStatus.timedOut:
        return new QueueTimeoutError(
          `${this.where}: ${peer.description}${pid} did not ${what} within ${timeoutNs / 1e6} ms`,
        );
      case WaitStatus.interrupted: {
        const signal = native.pendingSignal();
        return new InterruptedError(
          `${this.where}: interrupted by signal ${signal} while waiting for ${peer.description}`,
          signal,
        );
      }
      case WaitStatus.truncated: {
        const truncation = truncationOfGuard(this.waiter.guard);
        if (truncation !== undefined) return new SegmentTruncatedError(truncation);
        return new QueueError(
          `${this.where}: a segment this process maps was truncated while waiting for ${peer.description}`,
        );
      }
      case WaitStatus.peerDied:
        return new PeerDiedError(
          `${this.where}: ${peer.description}${pid} died while this side waited for it to ${what}`,
          peer,
        );
      default:
        return new PeerClosedError(`${this.where}: ${peer.description}${pid} closed the channel`);
    }
  }

  /** Wakes a peer sleeping on either counter, so it notices a closed flag at once. */
  protected wakeBoth(): void {
    native.futexWake(this.buffer, this.tailIndex * 4, 1);
    native.futexWake(this.buffer, this.headIndex * 4, 1);
  }
}

export class RingProducer extends RingEnd {
  private tail: number;
  private cachedHead: number;

  constructor(attachment: RingAttachment) {
    super(attachment, false);
    this.tail = Atomics.load(this.words, this.tailIndex);
    this.cachedHead = Atomics.load(this.words, this.headIndex);
    if ((this.tail - this.cachedHead) >>> 0 > this.capacity) this.corruptCounters(this.tail, this.cachedHead);
  }

  /** Publishes `message` if there is room; false when the ring is full. Sets message.sequence. */
  trySend(message: Message): boolean {
    const tail = this.tail;
    if (((tail - this.cachedHead) | 0) >= this.capacity) {
      const head = Atomics.load(this.words, this.headIndex);
      // The consumer may only move head forward, and never past what was published.
      if ((tail - head) >>> 0 > this.capacity) this.corruptCounters(tail, head);
      this.cachedHead = head;
      if (((tail - head) | 0) >= this.capacity) return false;
    }
    const length = message.length;
    if (length < 0 || length > PAYLOAD_BYTES) {
      throw new RangeError(`${this.where}: payload of ${length} bytes; a record holds at most ${PAYLOAD_BYTES}`);
    }
    const record = this.recordsIndex + (tail & this.mask) * RECORD_WORDS;
    const words = this.words;
    words[record + RecordWord.opcodeAndFlags] = (message.opcode & 0xffff) | ((message.flags & 0xffff) << 16);
    words[record + RecordWord.length] = length;
    words[record + RecordWord.correlation] = message.correlation;
    const doubles = this.doubles;
    const payload = message.payload;
    const first = (record + RecordWord.payload) >>> 1;
    for (let index = 0; index < PAYLOAD_FLOAT64S; index++) doubles[first + index] = payload[index] as number;
    // The sequence publishes the record (a consumer spins on it); the tail follows, for a consumer that sleeps.
    Atomics.store(words, record + RecordWord.sequence, tail);
    message.sequence = tail;
    const next = (tail + 1) | 0;
    Atomics.store(words, this.tailIndex, next);
    this.tail = next;
    if (Atomics.load(words, this.consumerSleepingIndex) !== 0) native.futexWake(this.buffer, this.tailIndex * 4, 1);
    return true;
  }

  /** Publishes `message`, waiting for room by the wait strategy; throws on timeout or a dead peer. */
  send(message: Message, timeoutNs = this.timeoutNs): void {
    while (!this.trySend(message)) {
      if (Atomics.load(this.words, this.consumerClosedIndex) !== 0) {
        throw this.failure(WaitStatus.peerClosed, "receive", timeoutNs);
      }
      const status = this.waiter.waitForChange(this.headIndex, this.cachedHead, this.cachedHead, timeoutNs);
      if (status !== WaitStatus.ready) throw this.failure(status, "make room in a full ring", timeoutNs);
    }
  }

  /** Records in flight: published but not yet consumed. */
  pending(): number {
    return (this.tail - Atomics.load(this.words, this.headIndex)) | 0;
  }

  close(): void {
    Atomics.store(this.words, this.producerClosedIndex, 1);
    this.wakeBoth();
  }
}

export class RingConsumer extends RingEnd {
  private head: number;

  constructor(
    attachment: RingAttachment,
    /** validOpcodes[op] !== 0 for every opcode the protocol knows; null accepts all. */
    private readonly validOpcodes: Uint8Array | null,
  ) {
    super(attachment, true);
    this.head = Atomics.load(this.words, this.headIndex);
    const tail = Atomics.load(this.words, this.tailIndex);
    if ((tail - this.head) >>> 0 > this.capacity) this.corruptCounters(tail, this.head);
  }

  /** Copies the next record into `message` and frees its slot; false when the ring is empty. */
  tryReceive(message: Message): boolean {
    const head = this.head;
    const record = this.recordsIndex + (head & this.mask) * RECORD_WORDS;
    const words = this.words;
    // The slot holds record `head` once it is published, and until then the one a capacity before; the tail is
    // not read here (it lives on the producer's line), so the sequence is what says whether a record is there.
    const sequence = Atomics.load(words, record + RecordWord.sequence);
    if (sequence !== head) {
      if (sequence === ((head - this.capacity) | 0)) return false;
      this.corruptSequence(head, sequence);
    }
    const opcodeAndFlags = words[record + RecordWord.opcodeAndFlags] as number;
    const length = words[record + RecordWord.length] as number;
    const opcode = opcodeAndFlags & 0xffff;
    if (length < 0 || length > PAYLOAD_BYTES) this.corruptLength(head, length);
    if (this.validOpcodes !== null && this.validOpcodes[opcode] === 0) this.unknownOpcode(head, opcode);
    message.sequence = sequence;
    message.opcode = opcode;
    message.flags = opcodeAndFlags >>> 16;
    message.length = length;
    message.correlation = words[record + RecordWord.correlation] as number;
    const doubles = this.doubles;
    const payload = message.payload;
    const first = (record + RecordWord.payload) >>> 1;
    for (let index = 0; index < PAYLOAD_FLOAT64S; index++) payload[index] = doubles[first + index] as number;
    // Zero pages over a truncated ring read as record 0 published: one load tells, before anything is delivered.
    if (guardTruncated(this.waiter.guard)) this.throwIfTruncated();
    const next = (head + 1) | 0;
    Atomics.store(words, this.headIndex, next);
    this.head = next;
    if (Atomics.load(words, this.producerSleepingIndex) !== 0) native.futexWake(this.buffer, this.headIndex * 4, 1);
    return true;
  }

  /**
   * The opcode of record head + `ahead` (0 ≤ ahead < capacity) once it is published and not yet received, else
   * −1: a look that moves nothing. What is in the record is checked when it is received.
   */
  publishedOpcode(ahead: number): number {
    const position = (this.head + ahead) | 0;
    const record = this.recordsIndex + (position & this.mask) * RECORD_WORDS;
    const words = this.words;
    if (Atomics.load(words, record + RecordWord.sequence) !== position) return -1;
    return (words[record + RecordWord.opcodeAndFlags] as number) & 0xffff;
  }

  /** Receives the next record, waiting by the wait strategy; throws on timeout, a dead or closed peer. */
  receive(message: Message, timeoutNs = this.timeoutNs): void {
    for (;;) {
      if (this.tryReceive(message)) return;
      const head = this.head;
      const sequenceIndex = this.recordsIndex + (head & this.mask) * RECORD_WORDS + RecordWord.sequence;
      const status = this.waiter.waitForChange(sequenceIndex, (head - this.capacity) | 0, head, timeoutNs);
      // A peer may publish and then close or die: deliver what it sent first.
      if (this.tryReceive(message)) return;
      if (status !== WaitStatus.ready) throw this.failure(status, "send", timeoutNs);
      this.checkUnpublished(head);
    }
  }

  close(): void {
    Atomics.store(this.words, this.consumerClosedIndex, 1);
    this.wakeBoth();
  }

  /**
   * What the ring holds, in words, for an error that says a record never came: the counters, the sequence of
   * the slot the next record goes to, and whether the producer closed its end.
   */
  describeState(): string {
    const words = this.words;
    const head = this.head;
    const tail = Atomics.load(words, this.tailIndex);
    const sequence = Atomics.load(words, this.recordsIndex + (head & this.mask) * RECORD_WORDS + RecordWord.sequence);
    const closed = Atomics.load(words, this.producerClosedIndex) !== 0;
    return `head ${head >>> 0}, tail ${tail >>> 0}, next slot's sequence ${sequence >>> 0}, ${closed ? "closed" : "open"} by its producer`;
  }

  /**
   * The wait ended, but record `head` is not there: with a producer that follows the protocol that cannot be
   * (a tail past `head` is stored after the record's sequence). Throws what is wrong, unless the record came
   * meanwhile.
   */
  private checkUnpublished(head: number): void {
    const words = this.words;
    const tail = Atomics.load(words, this.tailIndex);
    const sequence = Atomics.load(words, this.recordsIndex + (head & this.mask) * RECORD_WORDS + RecordWord.sequence);
    if (sequence === head) return;
    this.throwIfTruncated();
    const ahead = (tail - head) | 0;
    // −1: the producer stored the sequence of the record just taken, and not yet its tail.
    if (ahead < -1 || ahead > this.capacity) this.corruptCounters(tail, head, -1);
    if (sequence !== ((head - this.capacity) | 0)) this.corruptSequence(head, sequence);
    const peer = this.peer?.identity().description ?? "the peer";
    throw new CorruptRecordError(
      ahead > 0
        ? `${this.where}: corrupt record from ${peer} at position ${head >>> 0}: the tail (${tail >>> 0}) says it was published, but its slot still holds sequence ${sequence >>> 0}, the record a capacity before. Something other than the channel's producer wrote into the ring; check that the peer speaks ring layout version ${RING_LAYOUT_VERSION}.`
        : `${this.where}: corrupt ring from ${peer} at position ${head >>> 0}: the tail (${tail >>> 0}) or the record's sequence (${sequence >>> 0}) moved back. Something other than the channel's producer wrote into the ring.`,
    );
  }

  private corruptSequence(head: number, sequence: number): never {
    this.throwIfTruncated();
    const peer = this.peer?.identity().description ?? "the peer";
    throw new CorruptRecordError(
      `${this.where}: corrupt record from ${peer} at position ${head >>> 0}: sequence ${sequence >>> 0} (expected ${head >>> 0}, or ${(head - this.capacity) >>> 0} until it is published). Something other than the channel's producer wrote into the ring; check that the peer speaks ring layout version ${RING_LAYOUT_VERSION}.`,
    );
  }

  private corruptLength(head: number, length: number): never {
    this.throwIfTruncated();
    const peer = this.peer?.identity().description ?? "the peer";
    throw new CorruptRecordError(
      `${this.where}: corrupt record from ${peer} at position ${head >>> 0}: payload length ${length} (at most ${PAYLOAD_BYTES}). Something other than the channel's producer wrote into the ring.`,
    );
  }

  private unknownOpcode(head: number, opcode: number): never {
    this.throwIfTruncated();
    const peer = this.peer?.identity().description ?? "the peer";
    throw new CorruptRecordError(
      `${this.where}: unknown opcode 0x${opcode.toString(16).padStart(4, "0")} from ${peer} at position ${head >>> 0}; the peer speaks another protocol version or sent garbage`,
    );
  }
}
