// A waveform in a shared segment (layout: wire/waveform.ts), seen the same way
// by its writer and its reader: sample times and values are typed arrays over
// the segment, one view per sample made once, so that nothing is allocated per
// use. The driver creates every waveform; a component attaches to the
// waveforms of its own meshes' fields. The sample count n is the one word the
// two sides hand over: the writer stores it with release semantics after the
// samples, the reader loads it once with acquire semantics and checks it.

import { SegmentKind } from "../wire/segment-header.ts";
import {
  checkWaveformSpec,
  readWaveformMetadata,
  SAMPLE_COUNT_WORD,
  sampleCountProblem,
  sampleTimesProblem,
  WaveformOffset,
  type WaveformRole,
  type WaveformSpec,
  waveformGeometry,
  writeWaveformMetadata,
} from "../wire/waveform.ts";
import type { Run } from "./run.ts";
import type { Segment } from "./segment.ts";

/** Bytes another process wrote into a waveform that cannot be used; the message names the waveform. */
export class WaveformError extends Error {
  override name = "WaveformError";
}

/** What an attaching side expects of a waveform, beyond its layout. */
export interface WaveformExpectation {
  /** Points per sample: the mesh's point count. */
  count?: number;
  role?: WaveformRole;
}

export class SharedWaveform {
  readonly role: WaveformRole;
  readonly count: number;
  readonly capacity: number;
  readonly degree: number;
  /** `capacity` sample times, absolute. */
  readonly times: Float64Array;
  /** Sample i's values (count doubles), for i in 0..capacity−1. */
  readonly samples: readonly Float64Array[];
  /** Every sample slot, stride apart (valuesStride / 8 doubles from one sample to the next). */
  readonly values: Float64Array;
  /** Doubles from one sample's first value to the next one's (≥ count). */
  readonly valuesStride: number;
  private readonly words: Int32Array;
  private readonly start: Float64Array;

  private constructor(
    readonly name: string,
    readonly segment: Segment,
    spec: WaveformSpec,
  ) {
    this.role = spec.role;
    this.count = spec.count;
    this.capacity = spec.capacity;
    this.degree = spec.degree;
    const geometry = waveformGeometry(spec.count, spec.capacity);
    const base = segment.payloadOffset;
    this.words = new Int32Array(segment.buffer, base, WaveformOffset.times / 4);
    this.start = new Float64Array(segment.buffer, base + WaveformOffset.windowStart, 1);
    this.times = new Float64Array(segment.buffer, base + geometry.timesOffset, spec.capacity);
    this.valuesStride = geometry.stride / 8;
    this.values = new Float64Array(segment.buffer, base + geometry.valuesOffset, spec.capacity * this.valuesStride);
    const samples: Float64Array[] = [];
    for (let i = 0; i < spec.capacity; i++) {
      samples.push(new Float64Array(segment.buffer, base + geometry.valuesOffset + i * geometry.stride, spec.count));
    }
    this.samples = samples;
  }

  /** The driver creates waveform `name` (no sample yet: n = 0) and publishes its metadata. */
  static create(run: Run, name: string, spec: WaveformSpec): SharedWaveform {
    checkWaveformSpec(spec, `waveform "${name}"`);
    const geometry = waveformGeometry(spec.count, spec.capacity);
    const segment = run.createSegment(name, geometry.payloadBytes, SegmentKind.waveform);
    writeWaveformMetadata(segment.buffer, segment.payloadOffset, spec);
    return new SharedWaveform(name, segment, spec);
  }

  /**
   * A component maps waveform `name` and checks its metadata against what it
   * expects; undefined when no such waveform is registered (the field is not
   * coupled in time).
   */
  static attach(run: Run, name: string, expect: WaveformExpectation = {}): SharedWaveform | undefined {
    if (run.registry.lookup(name) === undefined) return undefined;
    return SharedWaveform.open(run, name, expect);
  }

  /** Maps waveform `name`, which must be registered, and checks its metadata. */
  static open(run: Run, name: string, expect: WaveformExpectation = {}): SharedWaveform {
    const segment = run.openSegment(name, { kind: SegmentKind.waveform });
    const where = `waveform "${name}"`;
    try {
      const spec = readWaveformMetadata(segment.buffer, segment.payloadOffset, segment.payloadSize, where);
      if (expect.count !== undefined && spec.count !== expect.count) {
        throw new WaveformError(`${where}: ${spec.count} points a sample, but its mesh has ${expect.count}`);
      }
      if (expect.role !== undefined && spec.role !== expect.role) {
        throw new WaveformError(`${where}: role ${spec.role}, expected ${expect.role}`);
      }
      return new SharedWaveform(name, segment, spec);
    } catch (error) {
      segment.close();
      throw error;
    }
  }

  /** Sample i's values: a view made once, so using it allocates nothing. */
  sample(index: number): Float64Array {
    const view = this.samples[index];
    if (view === undefined) throw new RangeError(`${this.where}: sample ${index} is outside 0..${this.capacity - 1}`);
    return view;
  }

  /**
   * The sample count the writer published, loaded once (acquire) and checked
   * against the capacity; call it once per use and keep the value, never re-read it.
   */
  readSampleCount(): number {
    const n = Atomics.load(this.words, SAMPLE_COUNT_WORD);
    const problem = sampleCountProblem(n, this.capacity);
    if (problem !== undefined) throw new WaveformError(`${this.where}: ${problem}`);
    return n;
  }

  /** The writer publishes n (release): the samples 0..n−1 and their times are written before. */
  publishSampleCount(n: number): void {
    if (!Number.isInteger(n) || n < 0 || n > this.capacity) {
      throw new RangeError(`${this.where}: sample count ${n} is outside 0..${this.capacity}`);
    }
    Atomics.store(this.words, SAMPLE_COUNT_WORD, n);
  }

  /** The start of the window attempt the samples belong to. */
  get windowStart(): number {
    return this.start[0] as number;
  }

  set windowStart(time: number) {
    this.start[0] = time;
  }

  /**
   * Checks the first n sample times (n from readSampleCount): finite, strictly
   * increasing, times[0] at `windowStart`, none after `windowEnd` (Infinity
   * when unknown), each within tolerance × max(1, |time|).
   */
  checkTimes(n: number, windowStart: number, windowEnd: number, tolerance: number): void {
    const problem = sampleTimesProblem(this.times, n, windowStart, windowEnd, tolerance);
    if (problem !== undefined) throw new WaveformError(`${this.where}: ${problem}`);
  }

  close(): void {
    this.segment.close();
  }

  private get where(): string {
    return `waveform "${this.name}"`;
  }
}
