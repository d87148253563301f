// The one wait loop both sides of a ring use: wait until a 32-bit word in
// shared memory differs from the value last seen, by the configured strategy,
// checking the peer's liveness and closed flag between slices. Returns a status
// code (no exceptions, no allocation: the clock is read into a typed array);
// the caller turns a failure into an error.
//
// The word a side spins on need not be the word it sleeps on: a consumer spins
// on the sequence word of the record it expects (in that record's cache line,
// which the producer writes anyway) but sleeps on the ring's tail, the one
// word a producer wakes. Between spin slices and before each sleep the waiter
// also looks at the sleep word, so that a tail which says "published" while the
// record's sequence does not is handed back to the caller (who reports it)
// instead of waited on until the timeout.
import { native } from "../native/index.ts";
import { guardTruncated } from "../shm/truncation.ts";
import type { PeerLiveness } from "./peer.ts";
import type { WaitStrategy } from "./wait-strategy.ts";

export const WaitStatus = {
  ready: 0,
  timedOut: 1,
  peerDied: 2,
  peerClosed: 3,
  /** SIGINT, SIGTERM or SIGHUP arrived while waiting (see native/signals.cc). */
  interrupted: 4,
  /** A segment this process maps was truncated by another process (shm/truncation.ts): waiting on is pointless. */
  truncated: 5,
} as const;

/** SIGHUP, SIGINT, SIGTERM. */
const WATCHED_SIGNALS = [1, 2, 15];
export type WaitStatus = (typeof WaitStatus)[keyof typeof WaitStatus];

/** How often a spinning waiter asks whether the peer lives. */
const LIVENESS_INTERVAL_NS = 1e6;
/** The longest single futex sleep, so liveness is checked at least this often. */
const SLEEP_SLICE_NS = 10e6;
/** How long a waiter spins without yielding: a peer that answers at all usually answers by then. */
const BUSY_SPIN_NS = 5_000;
/** Spin iterations between clock reads (a clock read costs more than a load). */
const SPIN_CHECK_MASK = 127;
/** backoff: the first sleep between polls, and the longest (which bounds the latency a long wait adds). */
const FIRST_BACKOFF_NS = 10_000;
const LONGEST_BACKOFF_NS = 1_000_000;

const SPIN = 0;
const HYBRID = 1;
const BLOCK = 2;
const BACKOFF = 3;

/** A word nobody wakes: Atomics.wait on it is a plain timed sleep that needs no futex shared with anyone. */
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Where the loop reads the clock: a returned double would be a new heap number at every read. */
const clock = new Float64Array(1);

/** The words of one side's waits, fixed for its ring end (word indices into the waiter's `words`). */
export interface WaitWords {
  /** The word this side sleeps on (futex): the peer stores it after publishing, then wakes a sleeper. */
  sleepIndex: number;
  /**
   * How far (mod 2³²) the sleep word may trail the value the caller passes as unchanged and still mean "nothing
   * new": 1 for a consumer (a producer stores a record's sequence, then the tail, so a consumer that has taken
   * the record may look at the tail in between), 0 otherwise. Any other value ends the wait, for the caller to
   * judge.
   */
  sleepLag: number;
  /** The flag this side raises before sleeping so that the peer knows to wake it. */
  sleepingIndex: number;
  /** The peer's closed flag. */
  peerClosedIndex: number;
}

export class Waiter {
  private readonly kind: number;
  private readonly spinNs: number;
  private readonly sleepIndex: number;
  private readonly sleepByteOffset: number;
  private readonly sleepLag: number;
  private readonly sleepingIndex: number;
  private readonly peerClosedIndex: number;
  /** The truncation mark of the mapping waited on (shm/truncation.ts); -1 for memory the addon did not map. */
  readonly guard: number;

  constructor(
    private readonly buffer: ArrayBuffer,
    private readonly words: Int32Array,
    strategy: WaitStrategy,
    private readonly peer: PeerLiveness | null,
    waitWords: WaitWords,
  ) {
    this.sleepIndex = waitWords.sleepIndex;
    this.sleepByteOffset = words.byteOffset + waitWords.sleepIndex * 4;
    this.sleepLag = waitWords.sleepLag;
    this.sleepingIndex = waitWords.sleepingIndex;
    this.peerClosedIndex = waitWords.peerClosedIndex;
    this.kind =
      strategy.kind === "spin"
        ? SPIN
        : strategy.kind === "hybrid"
          ? HYBRID
          : strategy.kind === "backoff"
            ? BACKOFF
            : BLOCK;
    this.spinNs = strategy.spinNs;
    this.guard = native.mappingGuard(buffer);
    native.watchSignals(WATCHED_SIGNALS);
  }

  /**
   * Waits until words[index] !== unchanged, or the sleep word is no longer within its lag behind
   * `sleepUnchanged` (then the caller judges what it says).
   */
  waitForChange(index: number, unchanged: number, sleepUnchanged: number, timeoutNs: number): WaitStatus {
    const words = this.words;
    const sleepIndex = this.sleepIndex;
    const sleepLag = this.sleepLag;
    const peerClosedIndex = this.peerClosedIndex;
    const sleepingIndex = this.sleepingIndex;
    if (Atomics.load(words, index) !== unchanged) return WaitStatus.ready;
    native.monotonicNsInto(clock);
    const start = clock[0] as number;
    const deadline = start + timeoutNs;
    let nextCheck = start + LIVENESS_INTERVAL_NS;
    if (this.kind !== BLOCK) {
      const spinUntil = start + this.spinNs;
      const yieldAfter = start + Math.min(this.spinNs, BUSY_SPIN_NS);
      let iterations = 0;
      let backoffNs = FIRST_BACKOFF_NS;
      for (;;) {
        if (Atomics.load(words, index) !== unchanged) return WaitStatus.ready;
        if ((++iterations & SPIN_CHECK_MASK) !== 0) continue;
        native.monotonicNsInto(clock);
        const now = clock[0] as number;
        if (now >= nextCheck) {
          const status = this.checkPeer(peerClosedIndex);
          if (status !== WaitStatus.ready) return status;
          // Once a millisecond, not at every look: reading the peer's line while spinning is what version 1 paid.
          if (sleepIndex !== index && (sleepUnchanged - Atomics.load(words, sleepIndex)) >>> 0 > sleepLag) {
            return WaitStatus.ready;
          }
          nextCheck = now + LIVENESS_INTERVAL_NS;
        }
        if (now >= deadline) return WaitStatus.timedOut;
        if (now >= spinUntil && this.kind === HYBRID) break;
        if (now >= spinUntil && this.kind === BACKOFF) {
          Atomics.wait(sleeper, 0, 0, Math.min(backoffNs, deadline - now) / 1e6);
          backoffNs = Math.min(2 * backoffNs, LONGEST_BACKOFF_NS);
          iterations = SPIN_CHECK_MASK; // read the clock after the next check of the word
          continue;
        }
        // Past a short busy window a spinner yields between checks, so that a
        // process sharing this core (two components and a driver on two cores)
        // gets to run; with nothing else runnable the yield returns at once.
        if (now >= yieldAfter) native.schedYield();
      }
    }
    for (;;) {
      // Flag, then re-read: a producer stores the tail, then reads the flag, so either it sees the flag and wakes
      // this side, or this side sees its tail (and, through the tail, the record's sequence stored before it).
      Atomics.store(words, sleepingIndex, 1);
      const sleepValue = Atomics.load(words, sleepIndex);
      if (Atomics.load(words, index) !== unchanged || (sleepUnchanged - sleepValue) >>> 0 > sleepLag) {
        Atomics.store(words, sleepingIndex, 0);
        return WaitStatus.ready;
      }
      native.monotonicNsInto(clock);
      const now = clock[0] as number;
      if (now >= deadline) {
        Atomics.store(words, sleepingIndex, 0);
        return WaitStatus.timedOut;
      }
      const remaining = deadline - now;
      // Asleep while the sleep word holds what was just read (within its lag, so the next store changes it).
      native.futexWait(this.buffer, this.sleepByteOffset, sleepValue, Math.min(remaining, SLEEP_SLICE_NS));
      Atomics.store(words, sleepingIndex, 0);
      if (Atomics.load(words, index) !== unchanged) return WaitStatus.ready;
      const status = this.checkPeer(peerClosedIndex);
      if (status !== WaitStatus.ready) return status;
    }
  }

  private checkPeer(peerClosedIndex: number): WaitStatus {
    if (native.pendingSignal() !== 0) return WaitStatus.interrupted;
    // One load: a counter in a ring whose segment was truncated reads 0 and would never change.
    if (guardTruncated(this.guard)) return WaitStatus.truncated;
    if (Atomics.load(this.words, peerClosedIndex) !== 0) return WaitStatus.peerClosed;
    if (this.peer !== null && !this.peer.isAlive()) return WaitStatus.peerDied;
    return WaitStatus.ready;
  }
}
