// The one interface every acceleration of an implicit window implements, and
// the vector it works on. The vector is the concatenation of views over the
// waveform segments' value slots (samples 1..G of each accelerated field), so
// an acceleration reads the new unaccelerated values x̃ from shared memory and
// writes the next iterate back there, in place; the driver never copies it.

export interface AcceleratedField {
  /** component.mesh.field: how errors and records name it. */
  readonly label: string;
  /**
   * Samples 1..G of the window, in time order, one view per sample (each
   * `start.length` values) over the waveform's value slots. Fixed for the run:
   * the driver resamples onto this grid when a window's samples differ.
   */
  readonly samples: readonly Float64Array[];
  /**
   * Sample 0, the window's start value: what every sample held when the
   * window's first attempt read the field (constant extrapolation), so the
   * iterate the first x̃ is measured against.
   */
  readonly start: Float64Array;
}

export interface AcceleratedLayout {
  readonly fields: readonly AcceleratedField[];
}

export interface Acceleration {
  /** Once, when the vector's layout is known (the views are fixed for the run); every buffer is allocated here. */
  initialize(layout: AcceleratedLayout): void;
  /**
   * After each non-converged iteration: the views hold x̃, the new
   * unaccelerated values; writes the next iterate into them.
   */
  perform(window: number, iteration: number): void;
  /** The window converged (or ended at its maximum and goes on): keep what reuse needs, drop the rest. The views hold the window's final x̃. */
  windowConverged(window: number): void;
  readonly name: string;
  /** Ends what the acceleration started (worker threads); once, when the run is over. */
  close?(): Promise<void>;
}
