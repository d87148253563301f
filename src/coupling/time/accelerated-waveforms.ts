// coupling/time/ owns physical time in the driver: the window clock, the coupled waveforms and the transfers between them.
// It must not run a window: the schemes decide when a component steps and when a window is repeated or done.

// The accelerated fields of an implicit scheme as one vector over their
// waveforms' value slots (samples 1..G, in shared memory), on a time grid fixed
// for the run: the first window's sample times, as fractions of the window,
// so that every window (a shorter last one, a first-participant window of its
// own size) has as many values and the acceleration's history stays valid.
// A waveform whose samples lie elsewhere is resampled onto the grid first
// (with the B-spline its reader uses), as preCICE moves its time grid to
// each new window. The acceleration is initialised at the first use, when the
// grid is known; nothing is allocated after that.
import { combineSamples, TimeInterpolation } from "../../bspline/time-interpolation.ts";
import type { AcceleratedLayout, Acceleration } from "../acceleration/acceleration.ts";
import { checkFinite } from "../finite-check.ts";
import type { AttemptSpan, TargetWaveform } from "./time-transfer.ts";

/** Sample times closer than this, as fractions of the window, are on the grid. */
const ON_GRID = 1e-9;

interface GridField {
  readonly target: TargetWaveform;
  /** The grid: fractions of the window of samples 1..G. */
  grid: Float64Array;
  readonly interpolation: TimeInterpolation;
  readonly weights: Float64Array;
  /** G samples of resampled values, then copied into the slots. */
  readonly scratch: Float64Array[];
}

export class AcceleratedWaveforms {
  /** After perform(): the field and point of the first value that is not finite (else −1). */
  badField = -1;
  badPoint = -1;
  badSample = -1;
  private readonly fields: GridField[];
  private initialized = false;

  constructor(
    targets: readonly TargetWaveform[],
    readonly acceleration: Acceleration,
  ) {
    this.fields = targets.map((target) => {
      const capacity = target.waveform.capacity;
      return {
        target,
        grid: new Float64Array(0),
        interpolation: new TimeInterpolation(capacity),
        weights: new Float64Array(capacity),
        scratch: Array.from({ length: capacity }, () => new Float64Array(target.waveform.count)),
      };
    });
  }

  get name(): string {
    return this.acceleration.name;
  }

  /** Values accelerated: Σ samples × points (0 before the first window). */
  get length(): number {
    let length = 0;
    for (const field of this.fields) length += field.grid.length * field.target.waveform.count;
    return length;
  }

  /** After the window's iteration is measured and has not converged: the next iterate into the waveforms. */
  perform(window: number, iteration: number, span: AttemptSpan): void {
    this.align(span);
    this.acceleration.perform(window, iteration);
    this.findNonFinite();
  }

  /** The window converged (or ended at max_iterations and goes on). */
  converged(window: number, span: AttemptSpan): void {
    this.align(span);
    this.acceleration.windowConverged(window);
  }

  /** The label of field `index`, for errors. */
  label(index: number): string {
    return (this.fields[index] as GridField).target.label;
  }

  /** Puts every field's samples on the grid (fixing the grid, and initialising the acceleration, at the first use). */
  private align(span: AttemptSpan): void {
    const start = span.start;
    const size = span.end - span.start;
    if (!this.initialized) {
      const layout: { fields: AcceleratedLayout["fields"][number][] } = { fields: [] };
      for (const field of this.fields) {
        const waveform = field.target.waveform;
        const n = waveform.readSampleCount();
        field.grid = new Float64Array(n - 1);
        for (let sample = 1; sample < n; sample++)
          field.grid[sample - 1] = ((waveform.times[sample] as number) - start) / size;
        layout.fields.push({
          label: field.target.label,
          samples: waveform.samples.slice(1, n),
          start: waveform.samples[0] as Float64Array,
        });
      }
      this.acceleration.initialize(layout);
      this.initialized = true;
      return;
    }
    for (let index = 0; index < this.fields.length; index++) {
      const field = this.fields[index] as GridField;
      const waveform = field.target.waveform;
      const n = waveform.readSampleCount();
      const grid = field.grid;
      let onGrid = n === grid.length + 1;
      for (let sample = 1; sample < n && onGrid; sample++) {
        const fraction = ((waveform.times[sample] as number) - start) / size;
        if (Math.abs(fraction - (grid[sample - 1] as number)) > ON_GRID) onGrid = false;
      }
      if (onGrid) continue;
      // Resample onto the grid: interpolate all n samples at the grid's times, then write them in place.
      field.interpolation.prepare(waveform.times, n, field.target.degree);
      for (let slot = 0; slot < grid.length; slot++) {
        field.interpolation.weights(start + (grid[slot] as number) * size, field.weights);
        combineSamples(waveform.samples, field.weights, n, field.scratch[slot] as Float64Array);
      }
      for (let slot = 0; slot < grid.length; slot++) {
        (waveform.samples[slot + 1] as Float64Array).set(field.scratch[slot] as Float64Array);
        waveform.times[slot + 1] = slot === grid.length - 1 ? span.end : start + (grid[slot] as number) * size;
      }
      waveform.publishSampleCount(grid.length + 1);
    }
  }

  private findNonFinite(): void {
    this.badField = -1;
    for (let index = 0; index < this.fields.length; index++) {
      const field = this.fields[index] as GridField;
      const waveform = field.target.waveform;
      for (let slot = 1; slot <= field.grid.length; slot++) {
        const point = checkFinite(waveform.samples[slot] as Float64Array);
        if (point < 0) continue;
        this.badField = index;
        this.badSample = slot;
        this.badPoint = point;
        return;
      }
    }
  }
}
