// The waveforms of a run in time and the transfers between them: each
// transfer's from field has a waveform its component writes (one per field,
// however many transfers read it), each to field one the driver writes. After a
// component's attempt, its written waveforms are checked (n, times, finite
// values) and every transfer from it maps each new sample 1..n−1 through its
// operator into the target, with the same times; only what was written is
// mapped. At a new window a target starts again from its last sample, n = 1.
import type { TransferOperator } from "../../mapping/index.ts";
import type { SharedWaveform } from "../../shm/waveform.ts";
import { TIME_TOLERANCE } from "../../wire/protocol.ts";
import { checkFinite } from "../finite-check.ts";

/** Where an attempt lies in time; one object updated in place (doubles passed as arguments would be boxed). */
export interface AttemptSpan {
  start: number;
  end: number;
}

/** A waveform a component writes: the from of one or more transfers. */
export class SourceWaveform {
  /** The sample count of the attempt checked last. */
  n = 1;
  /** Set by check() when a value is not finite: the sample and the point (else −1). */
  badSample = -1;
  badPoint = -1;

  constructor(
    /** component.mesh.field */
    readonly label: string,
    readonly component: string,
    readonly mesh: string,
    readonly field: string,
    readonly waveform: SharedWaveform,
  ) {}

  /**
   * After the component's done of `substeps` steps over `span` (its start and
   * the end the done reported): reads n once and checks it, the sample times
   * and that every new value is finite. Returns a reason when something is
   * wrong (the error path allocates; the good path does not), else undefined.
   */
  check(substeps: number, span: AttemptSpan): string | undefined {
    const waveform = this.waveform;
    const start = span.start;
    const end = span.end;
    let n: number;
    try {
      n = waveform.readSampleCount();
      waveform.checkTimes(n, start, end, TIME_TOLERANCE);
    } catch (error) {
      return `wrote a waveform that cannot be read: ${(error as Error).message}`;
    }
    if (n !== substeps + 1) {
      return `reported ${substeps} steps in its done but its waveform of ${this.label} holds ${n - 1}`;
    }
    const last = waveform.times[n - 1] as number;
    if (Math.abs(last - end) > TIME_TOLERANCE * Math.max(1, Math.abs(end))) {
      return `wrote its last sample of ${this.label} at t = ${last}, not at the window's end ${end}`;
    }
    this.n = n;
    this.badSample = -1;
    for (let sample = 1; sample < n; sample++) {
      const point = checkFinite(waveform.samples[sample] as Float64Array);
      if (point >= 0) {
        this.badSample = sample;
        this.badPoint = point;
        return undefined;
      }
    }
    return undefined;
  }
}

/** A waveform the driver writes: the to of exactly one transfer. */
export class TargetWaveform {
  constructor(
    readonly label: string,
    readonly component: string,
    readonly waveform: SharedWaveform,
    /** The B-spline degree its reader uses (the transfer's waveform_degree). */
    readonly degree: number,
  ) {}

  /** A new window: sample 0 becomes the last window's end value, n = 1 (constant in time until mapped into). */
  restart(start: number): void {
    const waveform = this.waveform;
    const n = waveform.readSampleCount();
    if (n > 1) (waveform.samples[0] as Float64Array).set(waveform.samples[n - 1] as Float64Array);
    waveform.times[0] = start;
    waveform.windowStart = start;
    waveform.publishSampleCount(1);
  }
}

export class TimeTransfer {
  constructor(
    /** "A.m.f → B.m.g", the phase it is timed under */
    readonly label: string,
    readonly source: SourceWaveform,
    readonly target: TargetWaveform,
    readonly operator: TransferOperator,
  ) {}

  /** Maps the source's checked samples 1..n−1 into the target with their times, then publishes n. */
  map(): void {
    const source = this.source.waveform;
    const target = this.target.waveform;
    const n = this.source.n;
    const operator = this.operator;
    for (let sample = 1; sample < n; sample++) {
      operator.apply(source.samples[sample] as Float64Array, target.samples[sample] as Float64Array);
      target.times[sample] = source.times[sample] as number;
    }
    target.times[0] = source.times[0] as number;
    target.windowStart = source.times[0] as number;
    target.publishSampleCount(n);
  }
}
