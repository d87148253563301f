// Ring counters, record sequences and a channel's control line are written by
// the other side, so each is checked where it is read: 0 ≤ tail − head ≤
// capacity (mod 2³²; a consumer, which reads the tail only while it waits,
// allows the tail one behind its head: the producer stores a record's sequence
// before its tail), a waiting consumer's record sequence against the tail,
// capacities powers of two, and both rings of a channel of the control line's
// capacity (a larger one would reach into the other ring).
import assert from "node:assert/strict";
import { type TestContext, test } from "node:test";
import { Channel } from "../../src/queue/channel.ts";
import { Message } from "../../src/queue/message.ts";
import { formatRing, RingConsumer, RingProducer } from "../../src/queue/ring.ts";
import { waitStrategy } from "../../src/queue/wait-strategy.ts";
import { ControlWord } from "../../src/wire/channel.ts";
import { CACHE_LINE, RECORD_SIZE, RecordWord, RingOffset, ringBytes } from "../../src/wire/ring.ts";
import { scratchRun } from "../support/scratch-run.ts";

const strategy = waitStrategy({ kind: "spin", spinNs: 0, timeoutNs: 20e6 });

function ring(t: TestContext, capacity: number) {
  const run = scratchRun(t);
  const segment = run.createSegment("ring", ringBytes(capacity));
  formatRing(segment.buffer, segment.payloadOffset, capacity);
  const words = new Int32Array(segment.buffer, segment.payloadOffset, RingOffset.records / 4);
  return { segment, words };
}

test("a tail more than the capacity ahead of head, or behind it by more than one, is corrupt to a waiting consumer", (t) => {
  const { segment, words } = ring(t, 8);
  const consumer = new RingConsumer(
    { buffer: segment.buffer, byteOffset: segment.payloadOffset, where: "test ring", strategy, peer: null },
    null,
  );
  Atomics.store(words, RingOffset.tail / 4, 9);
  // The consumer polls the record's sequence, not the tail: a look finds nothing, a wait finds the tail wrong.
  assert.equal(consumer.tryReceive(new Message()), false);
  assert.throws(
    () => consumer.receive(new Message()),
    /test ring: ring counters are corrupt: tail 9, head 0 in a ring of 8 records \(-1 ≤ tail − head ≤ 8 must hold\)/,
  );
  Atomics.store(words, RingOffset.tail / 4, -2);
  assert.throws(() => consumer.receive(new Message()), /tail 4294967294, head 0/);
});

test("a tail that says a record was published while its slot holds the sequence of the record before is corrupt", (t) => {
  const { segment, words } = ring(t, 4);
  for (const kind of ["spin", "block"] as const) {
    const consumer = new RingConsumer(
      {
        buffer: segment.buffer,
        byteOffset: segment.payloadOffset,
        where: "test ring",
        strategy: waitStrategy({ kind, spinNs: 0, timeoutNs: 20e6 }),
        peer: null,
      },
      null,
    );
    Atomics.store(words, RingOffset.tail / 4, 1);
    assert.throws(() => consumer.receive(new Message()), {
      name: "CorruptRecordError",
      message:
        /test ring: corrupt record from the peer at position 0: the tail \(1\) says it was published, but its slot still holds sequence 4294967292, the record a capacity before/,
    });
    Atomics.store(words, RingOffset.tail / 4, 0);
  }
});

test("a sequence that is neither the record's number nor the one a capacity before is corrupt, in a look and in a wait", (t) => {
  const { segment } = ring(t, 4);
  const consumer = new RingConsumer(
    { buffer: segment.buffer, byteOffset: segment.payloadOffset, where: "test ring", strategy, peer: null },
    null,
  );
  const producer = new RingProducer({
    buffer: segment.buffer,
    byteOffset: segment.payloadOffset,
    where: "test ring",
    strategy,
    peer: null,
  });
  const message = new Message();
  producer.send(message.set(1, 0));
  consumer.receive(message);
  // Record 1's slot, scribbled with the number of a record one round ahead and then of one two rounds behind.
  const sequenceOfSlot1 = new Int32Array(segment.buffer, segment.payloadOffset + RingOffset.records + RECORD_SIZE, 1);
  for (const scribbled of [5, -7]) {
    Atomics.store(sequenceOfSlot1, RecordWord.sequence, scribbled);
    const says = new RegExp(
      `position 1: sequence ${scribbled >>> 0} \\(expected 1, or 4294967293 until it is published\\)`,
    );
    assert.throws(() => consumer.tryReceive(message), { name: "CorruptRecordError", message: says });
    assert.throws(() => consumer.receive(message), { name: "CorruptRecordError", message: says });
  }
});

test("a head that passes the tail, or moves back by more than the ring, is corrupt", (t) => {
  const { segment, words } = ring(t, 4);
  const producer = new RingProducer({
    buffer: segment.buffer,
    byteOffset: segment.payloadOffset,
    where: "test ring",
    strategy,
    peer: null,
  });
  const message = new Message().set(1, 0);
  for (let index = 0; index < 4; index++) assert.equal(producer.trySend(message), true);
  Atomics.store(words, RingOffset.head / 4, 7); // past tail 4
  assert.throws(() => producer.trySend(message), /ring counters are corrupt: tail 4, head 7 in a ring of 4 records/);
});

test("counters already inconsistent when a side attaches are refused there", (t) => {
  const { segment, words } = ring(t, 4);
  Atomics.store(words, RingOffset.tail / 4, 100);
  assert.throws(
    () =>
      new RingConsumer(
        {
          buffer: segment.buffer,
          byteOffset: segment.payloadOffset,
          where: "test ring",
          strategy,
          peer: null,
        },
        null,
      ),
    /ring counters are corrupt: tail 100, head 0/,
  );
  assert.throws(
    () =>
      new RingProducer({
        buffer: segment.buffer,
        byteOffset: segment.payloadOffset,
        where: "test ring",
        strategy,
        peer: null,
      }),
    /ring counters are corrupt: tail 100, head 0/,
  );
});

test("a channel whose control line gives a capacity that is no power of two is refused", (t) => {
  const run = scratchRun(t);
  const driver = Channel.create(run, "odd.channel", { capacity: 4 });
  t.after(() => driver.close());
  const control = driver.segment.int32(0, CACHE_LINE / 4);
  control[ControlWord.capacity] = 3;
  assert.throws(
    () => Channel.attach(run, "odd.channel"),
    /ring capacity 3 must be a power of two.*the control line is corrupt/,
  );
});

test("a channel whose ring claims more records than the control line (overlapping the other ring) is refused", (t) => {
  const run = scratchRun(t);
  const driver = Channel.create(run, "wide.channel", { capacity: 4 });
  t.after(() => driver.close());
  // The ring to the component says 8 records: it would run into the ring to the driver.
  new DataView(driver.segment.buffer, driver.segment.payloadOffset + CACHE_LINE).setUint32(
    RingOffset.capacity,
    8,
    true,
  );
  assert.throws(
    () => Channel.attach(run, "wide.channel"),
    /a ring of 8 records where the channel's control line says 4; the channel segment is corrupt/,
  );
});
