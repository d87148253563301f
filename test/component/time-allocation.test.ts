// The SDK's read and advance allocate nothing on the JavaScript heap after the
// first window (issue 17): the time coupling of a component over real
// waveform segments, with the driver's side played in the same process by
// typed arrays over the same segments, through windows of four substeps, each
// window repeated once with more samples to read (so the interpolation is
// prepared again every attempt). The measure is test/mapping's: heap growth
// over many calls, least of several rounds (under 12 bytes a call: a boxed
// number is 16).
import assert from "node:assert/strict";
import { test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { TimeCoupling } from "../../src/component/time-coupling.ts";
import { SharedMesh } from "../../src/shm/shared-mesh.ts";
import { SharedWaveform } from "../../src/shm/waveform.ts";
import { WindowFlag, WindowSlot } from "../../src/wire/protocol.ts";
import { WaveformRole, waveformSegmentName } from "../../src/wire/waveform.ts";
import { scratchRun } from "../support/scratch-run.ts";

setFlagsFromString("--expose-gc");
const collect = runInNewContext("gc") as () => void;

const COUNT = 200;
const WINDOW = 0.1;
const STEPS = 4;
/** A constant step (0.025 × 4 reaches 0.1): the loop itself must not allocate either. */
const DT = WINDOW / STEPS;

test("read and advance allocate nothing after the first window", async (t) => {
  const run = scratchRun(t);
  const mesh = SharedMesh.create(run, "A", "m", { dimension: 1, count: COUNT, layout: "soa", fields: ["in", "out"] });
  t.after(() => mesh.close());
  const spec = { count: COUNT, capacity: 11 };
  const input = SharedWaveform.create(run, waveformSegmentName("A", "m", "in"), {
    ...spec,
    role: WaveformRole.writtenByDriver,
    degree: 3,
  });
  const output = SharedWaveform.create(run, waveformSegmentName("A", "m", "out"), {
    ...spec,
    role: WaveformRole.writtenByComponent,
    degree: 1,
  });
  t.after(() => {
    input.close();
    output.close();
  });
  input.publishSampleCount(1);
  output.publishSampleCount(1);
  const time = TimeCoupling.attach(run, "A", new Map([["m", mesh]]));
  t.after(() => time.close());
  const payload = new Float64Array(6);
  const out = mesh.field("out");
  let window = 0;

  const attempt = (iteration: number) => {
    const start = window * WINDOW;
    payload[WindowSlot.window] = window;
    payload[WindowSlot.iteration] = iteration;
    payload[WindowSlot.start] = start;
    payload[WindowSlot.size] = WINDOW;
    payload[WindowSlot.flags] = iteration === 0 ? WindowFlag.writeCheckpoint : WindowFlag.readCheckpoint;
    payload[WindowSlot.end] = Number.POSITIVE_INFINITY;
    // The driver's side: a repeat gets six samples across the window, a first attempt the start value only.
    const n = iteration === 0 ? 1 : 6;
    for (let i = 0; i < n; i++) {
      input.times[i] = start + (WINDOW * i * (i + 1)) / 30;
      (input.samples[i] as Float64Array).fill(window + i);
    }
    input.publishSampleCount(n);
    time.begin(payload);
    for (let step = 0; step < STEPS; step++) {
      out.set(time.read("m", "in", DT));
      time.advance(DT);
    }
  };
  const windows = (count: number) => {
    for (let k = 0; k < count; k++) {
      attempt(0);
      attempt(1);
      window++;
    }
  };

  windows(500); // the first windows, and long enough for the JIT to settle
  assert.equal(output.readSampleCount(), STEPS + 1);
  const calls = 2000;
  let least = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 8 && least >= calls; round++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    collect();
    const before = process.memoryUsage().heapUsed;
    windows(calls);
    least = Math.min(least, process.memoryUsage().heapUsed - before);
  }
  // Each window is 2 attempts of 4 reads and 4 advances: 16 calls.
  const perCall = least / (calls * 2 * STEPS * 2);
  // One boxed number per call would be 16 bytes; V8's allocation steps spread over many calls stay far below.
  assert.ok(perCall < 12, `${perCall.toFixed(2)} heap bytes per read or advance`);
  // And what was read is what was interpolated: the repeat's last read is the last sample, window + 5.
  assert.equal(out[0], window - 1 + 5);
});
