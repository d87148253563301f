// How much a driver-written waveform changed in one iteration: a snapshot of
// what its reader was given (taken before new samples are mapped in), then
// ‖Δ‖₂ and ‖x̃‖₂ over the new samples 1..n−1, Δ = x̃ − the snapshot at the
// same times. The snapshot is read at the new sample times directly when the
// grids agree, as the constant start value after a new window (n = 1), and
// otherwise interpolated as the reader interpolates it (bspline/). Buffers are
// allocated in the constructor; nothing after.
import { TimeInterpolation } from "../../bspline/time-interpolation.ts";
import type { SharedWaveform } from "../../shm/waveform.ts";

/** Two sample times this close are one (as the waveform's own checks). */
const SAME_TIME = 1e-12;

export class WaveformChange {
  /** [‖Δ‖₂, ‖x̃‖₂] of the last measure(). */
  readonly norms = new Float64Array(2);
  private readonly times: Float64Array;
  private readonly values: Float64Array;
  private readonly interpolation: TimeInterpolation;
  private readonly weights: Float64Array;
  private readonly count: number;
  private n = 0;

  constructor(
    readonly waveform: SharedWaveform,
    private readonly degree: number,
  ) {
    this.count = waveform.count;
    this.times = new Float64Array(waveform.capacity);
    this.values = new Float64Array(waveform.capacity * waveform.count);
    this.interpolation = new TimeInterpolation(waveform.capacity);
    this.weights = new Float64Array(waveform.capacity);
  }

  /** Keeps what the waveform holds now: the values its reader was given in this iteration. */
  snapshot(): void {
    const waveform = this.waveform;
    const n = waveform.readSampleCount();
    const count = this.count;
    for (let sample = 0; sample < n; sample++) {
      this.times[sample] = waveform.times[sample] as number;
      this.values.set(waveform.samples[sample] as Float64Array, sample * count);
    }
    this.n = n;
  }

  /** norms ← [‖x̃ − snapshot‖₂, ‖x̃‖₂] over the waveform's samples 1..n−1 now. */
  measure(): void {
    const waveform = this.waveform;
    const n = waveform.readSampleCount();
    const count = this.count;
    const previousN = this.n;
    let sameGrid = previousN === n;
    for (let sample = 1; sample < n && sameGrid; sample++) {
      if (Math.abs((this.times[sample] as number) - (waveform.times[sample] as number)) > SAME_TIME) sameGrid = false;
    }
    if (!sameGrid && previousN > 1) this.interpolation.prepare(this.times, previousN, this.degree);
    let change = 0;
    let size = 0;
    const values = this.values;
    for (let sample = 1; sample < n; sample++) {
      const current = waveform.samples[sample] as Float64Array;
      if (sameGrid || previousN === 1) {
        const base = sameGrid ? sample * count : 0;
        for (let point = 0; point < count; point++) {
          const value = current[point] as number;
          const delta = value - (values[base + point] as number);
          change += delta * delta;
          size += value * value;
        }
        continue;
      }
      this.interpolation.weights(waveform.times[sample] as number, this.weights);
      for (let point = 0; point < count; point++) {
        let previous = 0;
        for (let k = 0; k < previousN; k++)
          previous += (this.weights[k] as number) * (values[k * count + point] as number);
        const value = current[point] as number;
        const delta = value - previous;
        change += delta * delta;
        size += value * value;
      }
    }
    this.norms[0] = Math.sqrt(change);
    this.norms[1] = Math.sqrt(size);
  }
}
