// Ring layout version 2 across processes, for every client's echo peer (the
// TypeScript, C and Python peers of `conflux bench queue`): the consumer waits
// on the sequence word of the record it expects, not on the tail. This process
// is the driver; it writes the records of the ring to the peer by hand, through
// its own mapping, so that it can publish a record's sequence and hold the tail
// back, or move the tail and leave the sequence stale, or scribble the sequence:
//   - a record whose sequence is published is answered while the tail still
//     says "nothing" (a consumer that waited on the tail would never answer;
//     a sleeping one finds it when its sleep slice ends);
//   - a tail that says "published" while the slot still holds the sequence of
//     the record a capacity before is a corrupt record, named, not a hang;
//   - a sequence that is neither is a corrupt record, named.
import assert from "node:assert/strict";
import { type TestContext, test } from "node:test";
import { PeerOpcode } from "../../src/bench/queue-peer.ts";
import { native } from "../../src/native/index.ts";
import { Channel } from "../../src/queue/channel.ts";
import { Message } from "../../src/queue/message.ts";
import type { WaitKind } from "../../src/queue/wait-strategy.ts";
import { CACHE_LINE, RECORD_SIZE, RecordWord, RingOffset, unusedSequence } from "../../src/wire/ring.ts";
import type { Program } from "../clients/programs.ts";
import type { Gate } from "../support/requirements.ts";
import { scratchRun } from "../support/scratch-run.ts";

export interface SlotSequencePeer {
  language: string;
  options: Gate;
  /** Starts the peer on RUN_DIR CHANNEL KIND (it is killed when the test ends). */
  start(t: TestContext, runDirectory: string, channel: string, kind: WaitKind): Program;
}

const CAPACITY = 4;
/** Generous: the peer answers in microseconds, or within one 10 ms sleep slice. */
const ANSWER_WITHIN_NS = 30e9;

/** The ring from the driver to the peer, written by hand through the driver's own mapping of the channel. */
class HandWrittenRing {
  private readonly words: Int32Array;
  private readonly doubles: Float64Array;
  private readonly base: number;

  constructor(private readonly channel: Channel) {
    const segment = channel.segment;
    this.words = new Int32Array(segment.buffer, 0, segment.buffer.byteLength >>> 2);
    this.doubles = new Float64Array(segment.buffer, 0, segment.buffer.byteLength >>> 3);
    this.base = (segment.payloadOffset + CACHE_LINE) >>> 2;
  }

  private record(position: number): number {
    return this.base + (RingOffset.records + (position % CAPACITY) * RECORD_SIZE) / 4;
  }

  /** Writes record `position`'s fields (not its sequence). */
  body(position: number, opcode: number, value: number): void {
    const record = this.record(position);
    this.words[record + RecordWord.opcodeAndFlags] = opcode;
    this.words[record + RecordWord.length] = 8;
    this.words[record + RecordWord.correlation] = 0;
    this.doubles[(record + RecordWord.payload) >>> 1] = value;
  }

  sequence(position: number, value: number): void {
    Atomics.store(this.words, this.record(position) + RecordWord.sequence, value);
  }

  /** Stores the tail and wakes a consumer asleep on it, as a producer does after publishing. */
  tail(value: number): void {
    const index = this.base + RingOffset.tail / 4;
    Atomics.store(this.words, index, value);
    native.futexWake(this.channel.segment.buffer, index * 4, 1);
  }

  /** Publishes record `position` as the protocol says: body, sequence, tail, wake. */
  publish(position: number, opcode: number, value: number): void {
    this.body(position, opcode, value);
    this.sequence(position, position);
    this.tail(position + 1);
  }
}

async function attached(channel: Channel, peer: Program): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (channel.componentPid === 0) {
    if (peer.child.exitCode !== null) throw new Error(`the peer exited before attaching: ${peer.stderr()}`);
    if (Date.now() > deadline) throw new Error(`the peer did not attach within 20 s: ${peer.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  // Let it get into its wait for the first record (if it is not there yet, it finds the record at once instead).
  await new Promise((resolve) => setTimeout(resolve, 50));
}

export function slotSequenceTests(peer: SlotSequencePeer): void {
  const open = async (t: TestContext, kind: WaitKind) => {
    const run = scratchRun(t);
    const channel = Channel.create(run, "slots", {
      capacity: CAPACITY,
      wait: { kind: "hybrid", timeoutNs: ANSWER_WITHIN_NS },
      opcodes: Object.values(PeerOpcode),
    });
    t.after(() => channel.close());
    const program = peer.start(t, run.directory, "slots", kind);
    await attached(channel, program);
    return { channel, program, ring: new HandWrittenRing(channel) };
  };

  for (const kind of ["spin", "block"] as const) {
    test(
      `${peer.language} peer, ${kind}: takes a record once its sequence is published, before the tail moves, across processes`,
      peer.options,
      async (t) => {
        const { channel, program, ring } = await open(t, kind);
        ring.body(0, PeerOpcode.ping, 7.5);
        ring.sequence(0, 0); // and no tail: it stays 0, "nothing published"
        const reply = new Message();
        channel.receive(reply);
        assert.deepEqual([reply.opcode, reply.correlation, reply.payload[0]], [PeerOpcode.pong, 0, 7.5]);
        // The tail catches up; the next record goes the whole way.
        ring.tail(1);
        ring.publish(1, PeerOpcode.stop, 0);
        assert.deepEqual(await program.exited, { code: 0, signal: null }, program.stderr());
      },
    );

    test(
      `${peer.language} peer, ${kind}: a tail that says published while the slot keeps the stale sequence is a named corrupt record, across processes`,
      peer.options,
      async (t) => {
        const { program, ring } = await open(t, kind);
        ring.body(0, PeerOpcode.ping, 1);
        ring.tail(1); // the sequence stays the slot's unused one
        assert.deepEqual(await program.exited, { code: 1, signal: null }, program.stderr());
        assert.match(
          program.stderr(),
          new RegExp(
            `corrupt record from the driver at position 0: the tail \\(1\\) says it was published, but its slot still holds sequence ${unusedSequence(0, CAPACITY) >>> 0}, the record a capacity before`,
          ),
        );
      },
    );
  }

  test(
    `${peer.language} peer: a scribbled sequence (neither the record's number nor the stale one) is a named corrupt record, across processes`,
    peer.options,
    async (t) => {
      const { channel, program, ring } = await open(t, "hybrid");
      ring.publish(0, PeerOpcode.ping, 2);
      channel.receive(new Message());
      ring.body(1, PeerOpcode.ping, 3);
      ring.sequence(1, 0x12345678);
      assert.deepEqual(await program.exited, { code: 1, signal: null }, program.stderr());
      assert.match(
        program.stderr(),
        new RegExp(
          `corrupt record from the driver at position 1: sequence ${0x12345678} \\(expected 1, or ${unusedSequence(1, CAPACITY) >>> 0} until it is published\\)`,
        ),
      );
    },
  );
}
