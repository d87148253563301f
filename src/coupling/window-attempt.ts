// What the driver and a component's link say about one window attempt.

/**
 * A window attempt as the driver announces it (the `window` record's payload)
 * and what the component's done reported. One object per link, updated in
 * place: doubles passed as arguments to a call that is not inlined are boxed,
 * so the hot path hands them over in fields.
 */
export class WindowAttempt {
  window = 0;
  iteration = 0;
  start = Number.NaN;
  /** Infinity when the component's own step sets the window (first-participant). */
  size = Number.NaN;
  flags = 0;
  /** The run's end time (Infinity when it ends after a number of windows). */
  runEnd = Number.NaN;
  /** Steps a window holds (the waveforms' capacity − 1). */
  maxSubsteps = 0;
  /** What done reported: the component's time at the end and its steps. */
  doneTime = Number.NaN;
  substeps = 0;

  /** Where the attempt must end: the window's end or the run's, whichever comes first; Infinity when the component's step sets it. */
  get end(): number {
    return this.size === Number.POSITIVE_INFINITY ? this.size : Math.min(this.start + this.size, this.runEnd);
  }
}
