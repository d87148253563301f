// Waveform segments (shm/waveform.ts): the driver creates one, a component in
// another process attaches, both see each other's samples; a reader checks
// the metadata when it attaches and n and the times when it uses them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { SharedWaveform, WaveformError } from "../../src/shm/waveform.ts";
import { SegmentKind } from "../../src/wire/segment-header.ts";
import { SAMPLE_COUNT_WORD, WaveformMetadataError, WaveformRole, waveformGeometry } from "../../src/wire/waveform.ts";
import { startFixture } from "../support/child-process.ts";
import { scratchRun } from "../support/scratch-run.ts";

const spec = { role: WaveformRole.writtenByComponent, count: 3, capacity: 4, degree: 1 } as const;

test("a component in another process attaches to the driver's waveform and its samples are the driver's", async (t) => {
  const run = scratchRun(t);
  const waveform = SharedWaveform.create(run, "A.m.f.waveform", spec);
  t.after(() => waveform.close());
  assert.equal(waveform.segment.header.kind, SegmentKind.waveform);
  assert.throws(() => waveform.readSampleCount(), /waveform "A.m.f.waveform": sample count 0 is outside 1..4/);
  waveform.windowStart = 0.5;
  waveform.times[0] = 0.5;
  waveform.sample(0).set([1, 2, 3]);
  waveform.publishSampleCount(1);
  const peer = startFixture(t, "shm/fixtures/waveform-peer.ts", [run.directory, "A.m.f.waveform", "A.m.g.waveform"]);
  assert.equal(await peer.nextLine(), "n 1 t 0.5 values 1,2,3");
  assert.equal(await peer.nextLine(), "absent true");
  assert.deepEqual(await peer.exited, { code: 0, signal: null }, peer.stderr());
  const n = waveform.readSampleCount();
  assert.equal(n, 3);
  waveform.checkTimes(n, 0.5, 0.6, 1e-9);
  assert.deepEqual([...waveform.times.subarray(0, n)], [0.5, 0.55, 0.6]);
  assert.deepEqual([...waveform.sample(2)], [2, 20, 200]);
  assert.throws(() => waveform.checkTimes(n, 0.5, 0.58, 1e-9), /after the window's end 0.58/);
});

test("per-sample views are made once and lie stride apart over the values", (t) => {
  const run = scratchRun(t);
  const waveform = SharedWaveform.create(run, "B.m.f.waveform", { ...spec, count: 9 });
  t.after(() => waveform.close());
  assert.equal(waveform.sample(1), waveform.sample(1), "the same view each time");
  assert.equal(waveform.valuesStride, 16);
  waveform.sample(2)[8] = 7;
  assert.equal(waveform.values[2 * 16 + 8], 7);
  assert.throws(() => waveform.sample(4), RangeError);
});

test("an attaching component refuses a waveform that disagrees with its mesh or its metadata", (t) => {
  const run = scratchRun(t);
  const waveform = SharedWaveform.create(run, "C.m.f.waveform", spec);
  t.after(() => waveform.close());
  assert.throws(
    () => SharedWaveform.attach(run, "C.m.f.waveform", { count: 4 }),
    (error: Error) => error instanceof WaveformError && /3 points a sample, but its mesh has 4/.test(error.message),
  );
  assert.throws(
    () => SharedWaveform.attach(run, "C.m.f.waveform", { role: WaveformRole.writtenByDriver }),
    /role 1, expected 2/,
  );
  new DataView(waveform.segment.buffer, waveform.segment.payloadOffset).setUint32(16, 5, true);
  assert.throws(
    () => SharedWaveform.attach(run, "C.m.f.waveform"),
    (error: Error) => error instanceof WaveformMetadataError && /5 samples of 3 points need/.test(error.message),
  );
  const raw = run.createSegment("D.m.f.waveform", waveformGeometry(3, 4).payloadBytes, SegmentKind.mesh);
  t.after(() => raw.close());
  assert.throws(() => SharedWaveform.attach(run, "D.m.f.waveform"), /holds a mesh, not a waveform/);
});

test("a sample count another process scribbled is refused when it is read", (t) => {
  const run = scratchRun(t);
  const waveform = SharedWaveform.create(run, "E.m.f.waveform", spec);
  t.after(() => waveform.close());
  const words = new Int32Array(waveform.segment.buffer, waveform.segment.payloadOffset, 8);
  for (const n of [5, -1, 0x7fffffff]) {
    Atomics.store(words, SAMPLE_COUNT_WORD, n);
    assert.throws(() => waveform.readSampleCount(), new RegExp(`sample count ${n} is outside 1..4`));
  }
  assert.throws(() => waveform.publishSampleCount(5), RangeError);
});
