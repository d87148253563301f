// The accelerated fields of an implicit scheme over real waveform segments
// (coupling/time/accelerated-waveforms.ts), with constant relaxation ω = 0.5
// so that every next iterate can be written down: the grid is the first
// window's sample times; samples on it are accelerated where they lie, in
// shared memory (seen through a second mapping of each segment, as the
// reading component maps it); samples off it (other times, or another count)
// are first resampled onto it with the B-spline of the target's degree, which
// reproduces a polynomial of that degree exactly; a value the acceleration
// makes non-finite is found and named.
import assert from "node:assert/strict";
import { type TestContext, test } from "node:test";
import { ConstantRelaxation } from "../../src/coupling/acceleration/constant-relaxation.ts";
import { AcceleratedWaveforms } from "../../src/coupling/time/accelerated-waveforms.ts";
import { TargetWaveform } from "../../src/coupling/time/time-transfer.ts";
import type { Run } from "../../src/shm/run.ts";
import { SharedWaveform } from "../../src/shm/waveform.ts";
import { WaveformRole } from "../../src/wire/waveform.ts";
import { scratchRun } from "../support/scratch-run.ts";

const CAPACITY = 8;

/** A driver-written waveform of `count` points, wrapped as the driver's target, and a second mapping of it. */
function target(t: TestContext, run: Run, label: string, count: number, degree: number) {
  const name = `${label}.waveform`;
  const waveform = SharedWaveform.create(run, name, {
    role: WaveformRole.writtenByDriver,
    count,
    capacity: CAPACITY,
    degree,
  });
  t.after(() => waveform.close());
  const seen = SharedWaveform.open(run, name);
  t.after(() => seen.close());
  return { target: new TargetWaveform(label, label.split(".")[0] as string, waveform, degree), waveform, seen };
}

/** Writes samples 0..n−1 at `times`, point p of sample i being value(times[i], p), and publishes n (as the driver's map does). */
function write(waveform: SharedWaveform, times: number[], value: (time: number, point: number) => number): void {
  times.forEach((time, index) => {
    waveform.times[index] = time;
    const sample = waveform.sample(index);
    for (let point = 0; point < sample.length; point++) sample[point] = value(time, point);
  });
  waveform.windowStart = times[0] as number;
  waveform.publishSampleCount(times.length);
}

/** Samples 1..n−1 of a waveform as another process maps them, with n and the times. */
function read(waveform: SharedWaveform): { n: number; times: number[]; samples: number[][] } {
  const n = waveform.readSampleCount();
  return {
    n,
    times: Array.from(waveform.times.subarray(0, n)),
    samples: waveform.samples.slice(1, n).map((sample) => Array.from(sample)),
  };
}

function close(actual: number[][], expected: number[][], tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: samples`);
  for (const [index, sample] of actual.entries()) {
    for (const [point, value] of sample.entries()) {
      const wanted = expected[index]?.[point] as number;
      assert.ok(
        Math.abs(value - wanted) <= tolerance * Math.max(1, Math.abs(wanted)),
        `${what}: sample ${index + 1}, point ${point}: ${value} vs ${wanted}`,
      );
    }
  }
}

const linear = (time: number, point: number) => 2 + point - 3 * time;
const cubic = (time: number, point: number) => 1 + point * time - 4 * time * time + 20 * (point + 1) * time ** 3;
/** x_{k+1} = ω x̃ + (1 − ω) x_k with ω = 0.5. */
const relaxed = (tilde: number, previous: number) => 0.5 * tilde + 0.5 * previous;

test("on the grid, the next iterate is written in place into the waveforms' slots", (t) => {
  const run = scratchRun(t);
  const x = target(t, run, "B.m.x", 3, 1);
  const y = target(t, run, "A.m.y", 2, 3);
  const accelerated = new AcceleratedWaveforms([x.target, y.target], new ConstantRelaxation(0.5));
  assert.equal(accelerated.name, "constant");
  assert.equal(accelerated.length, 0, "nothing is accelerated before the first window fixes the grid");
  assert.equal(accelerated.label(1), "A.m.y");

  const span = { start: 0, end: 0.1 };
  const xTimes = [0, 0.05, 0.1];
  const yTimes = [0, 0.025, 0.05, 0.075, 0.1];
  // The window's start values, and the first x̃.
  write(x.waveform, xTimes, (time, point) => (time === 0 ? 1 + point : 10 + point + time));
  write(y.waveform, yTimes, (time, point) => (time === 0 ? -1 - point : 20 * time - point));
  accelerated.perform(0, 0, span);
  assert.equal(accelerated.length, 2 * 3 + 4 * 2, "G samples × points of each field");
  // The first iterate of a window relaxes against the start value, constant in time.
  const first = read(x.seen);
  assert.equal(first.n, 3);
  assert.deepEqual(first.times, xTimes, "on the grid the times stay as they are");
  close(
    first.samples,
    xTimes.slice(1).map((time) => [0, 1, 2].map((point) => relaxed(10 + point + time, 1 + point))),
    1e-15,
    "B.m.x, iteration 0",
  );
  const firstY = read(y.seen);
  assert.deepEqual(firstY.times, yTimes);
  close(
    firstY.samples,
    yTimes.slice(1).map((time) => [0, 1].map((point) => relaxed(20 * time - point, -1 - point))),
    1e-15,
    "A.m.y, iteration 0",
  );

  // The next x̃, mapped into the same slots: relaxed against the iterate just written.
  write(x.waveform, xTimes, (time, point) => (time === 0 ? 1 + point : 30 - point * time));
  accelerated.perform(0, 1, span);
  close(
    read(x.seen).samples,
    first.samples.map((sample, index) =>
      sample.map((value, point) => relaxed(30 - point * (xTimes[index + 1] as number), value)),
    ),
    1e-15,
    "B.m.x, iteration 1",
  );
  accelerated.converged(0, span);
  assert.equal(read(x.seen).n, 3);
});

test("samples off the grid are resampled onto it with the target's B-spline before they are accelerated", (t) => {
  const run = scratchRun(t);
  const x = target(t, run, "B.m.x", 3, 1);
  const y = target(t, run, "A.m.y", 2, 3);
  const accelerated = new AcceleratedWaveforms([x.target, y.target], new ConstantRelaxation(0.5));
  // Window 0 fixes the grid: x at 0.5 and 1 of the window, y at quarters.
  const first = { start: 0, end: 0.1 };
  write(x.waveform, [0, 0.05, 0.1], linear);
  write(y.waveform, [0, 0.025, 0.05, 0.075, 0.1], cubic);
  accelerated.converged(0, first);

  // Window 1: x at other times (n as on the grid), y in more and other steps; start values on the same curves.
  const span = { start: 0.1, end: 0.2 };
  x.target.restart(0.1);
  y.target.restart(0.1);
  write(x.waveform, [0.1, 0.13, 0.2], linear);
  write(y.waveform, [0.1, 0.11, 0.13, 0.15, 0.17, 0.19, 0.2], cubic);
  accelerated.perform(1, 0, span);

  const seenX = read(x.seen);
  assert.equal(seenX.n, 3, "B.m.x back on its grid of 2 samples");
  assert.ok(Math.abs((seenX.times[1] as number) - 0.15) < 1e-15, `B.m.x time ${seenX.times[1]}`);
  assert.equal(seenX.times[2], 0.2, "the last sample at the window's end exactly");
  close(
    seenX.samples,
    [0.15, 0.2].map((time) => [0, 1, 2].map((point) => relaxed(linear(time, point), linear(0.1, point)))),
    1e-13,
    "B.m.x resampled linearly, then relaxed",
  );
  const seenY = read(y.seen);
  assert.equal(seenY.n, 5, "A.m.y back on its grid of 4 samples");
  for (const [index, time] of seenY.times.entries()) {
    assert.ok(Math.abs(time - (0.1 + 0.025 * index)) < 1e-15, `A.m.y time ${index}: ${time}`);
  }
  assert.equal(seenY.times[4], 0.2);
  close(
    seenY.samples,
    [0.125, 0.15, 0.175, 0.2].map((time) => [0, 1].map((point) => relaxed(cubic(time, point), cubic(0.1, point)))),
    1e-12,
    "A.m.y resampled with the cubic B-spline (exact on a cubic), then relaxed",
  );

  // A shorter last window keeps the grid as fractions of its size.
  const last = { start: 0.2, end: 0.25 };
  x.target.restart(0.2);
  y.target.restart(0.2);
  write(x.waveform, [0.2, 0.25], linear);
  write(y.waveform, [0.2, 0.21, 0.23, 0.25], (time, point) => 1 + point - 2 * time);
  accelerated.converged(2, last);
  const lastX = read(x.seen);
  assert.ok(Math.abs((lastX.times[1] as number) - 0.225) < 1e-15, `B.m.x time ${lastX.times[1]}`);
  close(
    lastX.samples,
    [0.225, 0.25].map((time) => [0, 1, 2].map((point) => linear(time, point))),
    1e-13,
    "B.m.x on the shorter window's grid, as the acceleration keeps it at convergence",
  );
  assert.equal(read(y.seen).n, 5);
});

test("a value the acceleration makes non-finite is named by field, sample and point", (t) => {
  const run = scratchRun(t);
  const x = target(t, run, "B.m.x", 3, 1);
  const y = target(t, run, "A.m.y", 2, 1);
  const accelerated = new AcceleratedWaveforms([x.target, y.target], new ConstantRelaxation(0.5));
  const span = { start: 0, end: 0.1 };
  write(x.waveform, [0, 0.05, 0.1], linear);
  write(y.waveform, [0, 0.05, 0.1], linear);
  accelerated.perform(0, 0, span);
  assert.equal(accelerated.badField, -1);
  y.waveform.sample(2)[1] = Number.POSITIVE_INFINITY;
  accelerated.perform(0, 1, span);
  assert.deepEqual([accelerated.badField, accelerated.badSample, accelerated.badPoint], [1, 2, 1]);
  assert.equal(accelerated.label(accelerated.badField), "A.m.y");
});
