import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import { test } from "node:test";
import fc from "fast-check";
import { Message } from "../../src/queue/message.ts";
import { formatRing, RingConsumer, RingProducer } from "../../src/queue/ring.ts";
import { waitStrategy } from "../../src/queue/wait-strategy.ts";
import { RECORD_SIZE, RecordWord, RingOffset, ringBytes } from "../../src/wire/ring.ts";
import { scratchRun } from "../support/scratch-run.ts";

function ringPair(t: TestContext, capacity: number, opcodes: Uint8Array | null = null) {
  const run = scratchRun(t);
  const segment = run.createSegment("ring", ringBytes(capacity));
  formatRing(segment.buffer, segment.payloadOffset, capacity);
  const strategy = waitStrategy({ kind: "spin", spinNs: 0, timeoutNs: 20e6 });
  const producer = new RingProducer({
    buffer: segment.buffer,
    byteOffset: segment.payloadOffset,
    where: "test ring",
    strategy,
    peer: null,
  });
  const consumer = new RingConsumer(
    { buffer: segment.buffer, byteOffset: segment.payloadOffset, where: "test ring", strategy, peer: null },
    opcodes,
  );
  return { segment, producer, consumer };
}

test("random interleavings of send and receive behave like a bounded FIFO queue", (t) => {
  const { producer, consumer } = ringPair(t, 8);
  const message = new Message();
  let nextValue = 0;
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.constant("send" as const), fc.constant("receive" as const)), { maxLength: 200 }),
      (operations) => {
        // Drain what an earlier run left, so every run starts from an empty model.
        while (consumer.tryReceive(message)) {}
        const model: number[] = [];
        for (const operation of operations) {
          if (operation === "send") {
            const value = nextValue++;
            const sent = producer.trySend(message.set(5, value, value * 2));
            assert.equal(sent, model.length < 8, "a send succeeds exactly when the model has room");
            if (sent) model.push(value);
          } else {
            const received = consumer.tryReceive(message);
            assert.equal(received, model.length > 0, "a receive succeeds exactly when the model holds something");
            if (received) {
              const expected = model.shift();
              assert.equal(message.payload[0], expected);
              assert.equal(message.payload[1], (expected ?? 0) * 2);
              assert.equal(message.opcode, 5);
            }
          }
          assert.equal(producer.pending(), model.length);
        }
      },
    ),
    { numRuns: 300 },
  );
});

test("a full ring refuses trySend and never overwrites; send waits and then times out", (t) => {
  const { producer, consumer } = ringPair(t, 4);
  const message = new Message();
  for (let index = 0; index < 4; index++) assert.equal(producer.trySend(message.set(1, index)), true);
  assert.equal(producer.trySend(message.set(1, 99)), false);
  assert.throws(() => producer.send(message.set(1, 99)), {
    name: "QueueTimeoutError",
    message: /test ring: the peer did not make room in a full ring within 20 ms/,
  });
  for (let index = 0; index < 4; index++) {
    assert.equal(consumer.tryReceive(message), true);
    assert.equal(message.payload[0], index, "the oldest records survived the attempts to overwrite");
  }
  assert.equal(consumer.tryReceive(message), false);
  producer.send(message.set(1, 5));
  assert.equal(consumer.tryReceive(message), true);
});

test("every field of a record round-trips, including flags, correlation and a full payload", (t) => {
  const { producer, consumer } = ringPair(t, 2);
  const sent = new Message();
  sent.opcode = 0xbeef;
  sent.flags = 0xcafe;
  sent.correlation = -12345;
  sent.length = 48;
  for (let index = 0; index < 6; index++) sent.payload[index] = Math.PI * (index + 1);
  producer.send(sent);
  const received = new Message();
  consumer.receive(received);
  assert.equal(received.opcode, 0xbeef);
  assert.equal(received.flags, 0xcafe);
  assert.equal(received.correlation, -12345);
  assert.equal(received.length, 48);
  assert.equal(received.sequence, sent.sequence);
  assert.deepEqual([...received.payload], [...sent.payload]);
  sent.length = 49;
  assert.throws(() => producer.trySend(sent), /payload of 49 bytes; a record holds at most 48/);
});

test("a corrupted record is reported, not delivered", (t) => {
  const { segment, producer, consumer } = ringPair(t, 4);
  const message = new Message();
  producer.send(message.set(1, 1));
  const words = new Int32Array(segment.buffer, segment.payloadOffset + RingOffset.records, RECORD_SIZE / 4);
  words[RecordWord.sequence] = 77;
  assert.throws(() => consumer.tryReceive(message), {
    name: "CorruptRecordError",
    message:
      /test ring: corrupt record from the peer at position 0: sequence 77 \(expected 0, or 4294967292 until it is published\)/,
  });
  words[RecordWord.sequence] = 0;
  words[RecordWord.length] = 1000;
  assert.throws(() => consumer.tryReceive(message), /position 0: payload length 1000 \(at most 48\)/);
});

test("formatting gives each slot a sequence a capacity before its first record's, which reads as empty", (t) => {
  const { segment, producer, consumer } = ringPair(t, 4);
  const slots = new Int32Array(segment.buffer, segment.payloadOffset + RingOffset.records, (4 * RECORD_SIZE) / 4);
  const sequences = () => [0, 1, 2, 3].map((slot) => slots[slot * (RECORD_SIZE / 4) + RecordWord.sequence]);
  assert.deepEqual(sequences(), [-4, -3, -2, -1]);
  const message = new Message();
  assert.equal(consumer.tryReceive(message), false);
  for (let index = 0; index < 6; index++) {
    producer.send(message.set(1, index));
    assert.equal(consumer.tryReceive(message), true);
    assert.equal(message.sequence, index);
  }
  // Records 4 and 5 reused slots 0 and 1; each slot holds the number of the record it holds now.
  assert.deepEqual(sequences(), [4, 5, 2, 3]);
  assert.equal(consumer.tryReceive(message), false, "slot 2 holds record 2, a capacity before record 6: empty");
});

test("a record is taken once its sequence is published, before the producer's tail moves", (t) => {
  const { segment, producer, consumer } = ringPair(t, 4);
  const words = new Int32Array(segment.buffer, segment.payloadOffset, RingOffset.records / 4);
  const message = new Message();
  producer.send(message.set(1, 42));
  // Between the producer's two stores: the sequence says published, the tail does not yet.
  Atomics.store(words, RingOffset.tail / 4, 0);
  consumer.receive(message);
  assert.deepEqual([message.sequence, message.payload[0]], [0, 42]);
  // Waiting for record 1 with the tail one behind the head is waiting, not corruption: it times out by name.
  assert.throws(() => consumer.receive(message), {
    name: "QueueTimeoutError",
    message: /test ring: the peer did not send within 20 ms/,
  });
});

test("an unknown opcode is reported with its value", (t) => {
  const known = new Uint8Array(65536);
  known[1] = 1;
  const { producer, consumer } = ringPair(t, 4, known);
  const message = new Message();
  producer.send(message.set(1));
  producer.send(message.set(0x4242));
  consumer.receive(message);
  assert.throws(() => consumer.receive(message), {
    name: "CorruptRecordError",
    message: /unknown opcode 0x4242 from the peer at position 1/,
  });
});

test("a ring that is not formatted, or of another version (a version 1 peer's), is refused", (t) => {
  const run = scratchRun(t);
  const segment = run.createSegment("blank", ringBytes(4));
  const strategy = waitStrategy();
  assert.throws(
    () =>
      new RingConsumer(
        {
          buffer: segment.buffer,
          byteOffset: segment.payloadOffset,
          where: "blank ring",
          strategy,
          peer: null,
        },
        null,
      ),
    /blank ring: not a command ring \(magic 0x0\)/,
  );
  formatRing(segment.buffer, segment.payloadOffset, 4);
  for (const version of [1, 9]) {
    new DataView(segment.buffer, segment.payloadOffset).setUint32(RingOffset.version, version, true);
    assert.throws(
      () =>
        new RingProducer({
          buffer: segment.buffer,
          byteOffset: segment.payloadOffset,
          where: "old ring",
          strategy,
          peer: null,
        }),
      new RegExp(`ring layout version ${version}, this conflux speaks 2; use one conflux release for every component`),
    );
    assert.throws(
      () =>
        new RingConsumer(
          {
            buffer: segment.buffer,
            byteOffset: segment.payloadOffset,
            where: "old ring",
            strategy,
            peer: null,
          },
          null,
        ),
      new RegExp(`ring layout version ${version}, this conflux speaks 2`),
    );
  }
  assert.throws(() => formatRing(segment.buffer, segment.payloadOffset, 3), /capacity 3 must be a power of two/);
});

test("counters wrap past 2^31 without losing order", (t) => {
  const { segment } = ringPair(t, 4);
  const words = new Int32Array(segment.buffer, segment.payloadOffset, ringBytes(4) / 4);
  const start = 0x7ffffffe;
  words[RingOffset.tail / 4] = start;
  words[RingOffset.head / 4] = start;
  // As a ring that has carried `start` records leaves them: each slot holds the last record it carried.
  for (let record = start - 4; record < start; record++) {
    words[(RingOffset.records + (record & 3) * RECORD_SIZE) / 4 + RecordWord.sequence] = record;
  }
  const strategy = waitStrategy({ kind: "spin", timeoutNs: 20e6 });
  const producer = new RingProducer({
    buffer: segment.buffer,
    byteOffset: segment.payloadOffset,
    where: "wrapping ring",
    strategy,
    peer: null,
  });
  const consumer = new RingConsumer(
    {
      buffer: segment.buffer,
      byteOffset: segment.payloadOffset,
      where: "wrapping ring",
      strategy,
      peer: null,
    },
    null,
  );
  const sent = new Message();
  const received = new Message();
  const payloads: number[][] = [];
  const sequences: number[] = [];
  const drain = () => {
    while (consumer.tryReceive(received)) {
      payloads.push([received.payload[0] as number, received.payload[1] as number]);
      sequences.push(received.sequence);
    }
  };
  for (let index = 0; index < 20; index++) {
    producer.send(sent.set(1, index, -index));
    if (index % 3 === 2) drain();
  }
  drain();
  // Every record came through once, in order, with its own payload, across the wrap to negative counters.
  assert.deepEqual(
    payloads,
    Array.from({ length: 20 }, (_, index) => [index, -index]),
  );
  assert.deepEqual(
    sequences,
    Array.from({ length: 20 }, (_, index) => (start + index) | 0),
  );
  assert.ok((sequences[19] as number) < 0, "the counters did pass 2^31");
  assert.equal(words[RingOffset.tail / 4], (start + 20) | 0);
  assert.equal(words[RingOffset.head / 4], (start + 20) | 0);
});
