// A waveform segment's layout (docs/wire-format.md, "Waveform", version 1): the
// samples in time of one coupled field during one window attempt. The driver
// creates one per field of a transfer in time, named
// "<component>.<mesh>.<field>.waveform"; its writer (the component, for the
// `from` of a transfer, or the driver, for the `to`) stores sample values and
// times, then publishes the sample count n with a release store. Every reader
// checks what it uses: the metadata once when it maps the segment, n and the
// times each time it reads them. This module is the only code that encodes the
// layout; shm/waveform.ts maps it.
import { cacheLineAligned } from "./cache-line.ts";
import { MAX_POINTS } from "./mesh.ts";
import { checkPayloadPreamble, type PayloadPreamble } from "./payload-preamble.ts";
import { MAX_NAME_BYTES } from "./segment-header.ts";

export const WAVEFORM_MAGIC = 0x45564157; // "WAVE"
export const WAVEFORM_LAYOUT_VERSION = 1;
/** Degrees of the B-spline a reader interpolates with: 0..3 (a transfer's waveform_degree). */
export const MAX_WAVEFORM_DEGREE = 3;
/** Sample 0 (the window start) and at least one step. */
export const MIN_WAVEFORM_CAPACITY = 2;
/** Samples a waveform can hold: max_substeps + 1 ≤ 65,536. */
export const MAX_WAVEFORM_CAPACITY = 65_536;

/** Who writes a waveform's samples; the other side only reads them. */
export const WaveformRole = {
  /** The component samples its own mesh field at every advance (the `from` of a transfer). */
  writtenByComponent: 1,
  /** The driver maps the source's samples into it (the `to` of a transfer); the component reads it. */
  writtenByDriver: 2,
} as const;
export type WaveformRole = (typeof WaveformRole)[keyof typeof WaveformRole];

/** Byte offsets in a waveform's payload. */
export const WaveformOffset = {
  magic: 0,
  version: 4,
  role: 8,
  count: 12,
  capacity: 16,
  degree: 20,
  /** n, 1..capacity: stored with release semantics after the samples it publishes. */
  sampleCount: 24,
  reserved: 28,
  /** The start of the window attempt the samples belong to (a double). */
  windowStart: 32,
  /** capacity doubles: sample times, absolute; times[0] = the window start. */
  times: 64,
} as const;

/** Word (32-bit) index of n in the payload, for Atomics. */
export const SAMPLE_COUNT_WORD = WaveformOffset.sampleCount / 4;

export interface WaveformSpec {
  role: WaveformRole;
  /** Points per sample: the mesh's point count. */
  count: number;
  /** Samples it can hold (max_substeps + 1). */
  capacity: number;
  /** The B-spline degree readers interpolate with, 0..3. */
  degree: number;
}

export interface WaveformGeometry {
  timesOffset: number;
  /** Sample i's values start at valuesOffset + i × stride. */
  valuesOffset: number;
  /** Bytes from one sample's values to the next: count × 8 rounded up to 64. */
  stride: number;
  payloadBytes: number;
}

export class WaveformMetadataError extends Error {
  override name = "WaveformMetadataError";
}

export function waveformGeometry(count: number, capacity: number): WaveformGeometry {
  const timesOffset = WaveformOffset.times;
  const valuesOffset = cacheLineAligned(timesOffset + capacity * 8);
  const stride = cacheLineAligned(count * 8);
  return { timesOffset, valuesOffset, stride, payloadBytes: valuesOffset + capacity * stride };
}

/** Why `spec` cannot be laid out, or undefined when it can. */
export function waveformSpecProblem(spec: WaveformSpec): string | undefined {
  if (spec.role !== WaveformRole.writtenByComponent && spec.role !== WaveformRole.writtenByDriver) {
    return `role ${spec.role} is not 1 (written by the component) or 2 (written by the driver)`;
  }
  if (!Number.isInteger(spec.count) || spec.count < 0 || spec.count > MAX_POINTS) {
    return `point count ${spec.count} must be a whole number from 0 to ${MAX_POINTS}`;
  }
  if (
    !Number.isInteger(spec.capacity) ||
    spec.capacity < MIN_WAVEFORM_CAPACITY ||
    spec.capacity > MAX_WAVEFORM_CAPACITY
  ) {
    return `capacity ${spec.capacity} must be a whole number from ${MIN_WAVEFORM_CAPACITY} to ${MAX_WAVEFORM_CAPACITY} samples (max_substeps + 1)`;
  }
  if (!Number.isInteger(spec.degree) || spec.degree < 0 || spec.degree > MAX_WAVEFORM_DEGREE) {
    return `degree ${spec.degree} must be a whole number from 0 to ${MAX_WAVEFORM_DEGREE}`;
  }
  return undefined;
}

/** Refuses a spec this layout cannot hold, naming the problem. */
export function checkWaveformSpec(spec: WaveformSpec, where: string): void {
  const problem = waveformSpecProblem(spec);
  if (problem !== undefined) throw new WaveformMetadataError(`${where}: ${problem}`);
}

/** The waveform segment of field `field` of component `component`'s mesh `mesh`. */
export function waveformSegmentName(component: string, mesh: string, field: string): string {
  const name = `${component}.${mesh}.${field}.waveform`;
  const problem = waveformNameProblem(component, mesh, field);
  if (problem !== undefined) throw new WaveformMetadataError(problem);
  return name;
}

/**
 * Why the waveform name of (component, mesh, field) cannot be a segment name
 * (longer than 96 bytes of UTF-8), or undefined: what validate checks.
 */
export function waveformNameProblem(component: string, mesh: string, field: string): string | undefined {
  const name = `${component}.${mesh}.${field}.waveform`;
  const bytes = new TextEncoder().encode(name).length;
  if (bytes <= MAX_NAME_BYTES) return undefined;
  return `the waveform segment of ${component}.${mesh}.${field} would be named "${name}", ${bytes} bytes; segment names hold at most ${MAX_NAME_BYTES}: shorten the component, mesh or field name by ${bytes - MAX_NAME_BYTES} bytes`;
}

/**
 * Writes the metadata into a payload, with n = 0 (no sample yet) and window
 * start 0; the magic last, so a reader sees all or nothing.
 */
export function writeWaveformMetadata(
  buffer: ArrayBuffer,
  payloadOffset: number,
  spec: WaveformSpec,
): WaveformGeometry {
  checkWaveformSpec(spec, "waveform");
  const geometry = waveformGeometry(spec.count, spec.capacity);
  const view = new DataView(buffer, payloadOffset, WaveformOffset.times);
  view.setUint32(WaveformOffset.version, WAVEFORM_LAYOUT_VERSION, true);
  view.setUint32(WaveformOffset.role, spec.role, true);
  view.setUint32(WaveformOffset.count, spec.count, true);
  view.setUint32(WaveformOffset.capacity, spec.capacity, true);
  view.setUint32(WaveformOffset.degree, spec.degree, true);
  view.setUint32(WaveformOffset.sampleCount, 0, true);
  view.setUint32(WaveformOffset.reserved, 0, true);
  view.setFloat64(WaveformOffset.windowStart, 0, true);
  Atomics.store(new Int32Array(buffer, payloadOffset, 1), 0, WAVEFORM_MAGIC);
  return geometry;
}

const WAVEFORM_PREAMBLE: PayloadPreamble = {
  what: "waveform",
  metadataBytes: WaveformOffset.times,
  magic: WAVEFORM_MAGIC,
  magicDetail: `, expected 0x${WAVEFORM_MAGIC.toString(16)} "WAVE"`,
  missingReason: "the driver did not create this waveform",
  version: WAVEFORM_LAYOUT_VERSION,
  versionOffset: WaveformOffset.version,
  error: WaveformMetadataError,
};

/** Reads and checks the metadata another process wrote; every inconsistency is an error that names it. */
export function readWaveformMetadata(
  buffer: ArrayBuffer,
  payloadOffset: number,
  payloadBytes: number,
  where: string,
): WaveformSpec & WaveformGeometry {
  checkPayloadPreamble(buffer, payloadOffset, payloadBytes, where, WAVEFORM_PREAMBLE);
  const view = new DataView(buffer, payloadOffset, WaveformOffset.times);
  const spec: WaveformSpec = {
    role: view.getUint32(WaveformOffset.role, true) as WaveformRole,
    count: view.getUint32(WaveformOffset.count, true),
    capacity: view.getUint32(WaveformOffset.capacity, true),
    degree: view.getUint32(WaveformOffset.degree, true),
  };
  checkWaveformSpec(spec, where);
  const geometry = waveformGeometry(spec.count, spec.capacity);
  if (geometry.payloadBytes > payloadBytes) {
    throw new WaveformMetadataError(
      `${where}: ${spec.capacity} samples of ${spec.count} points need ${geometry.payloadBytes} bytes; the segment has ${payloadBytes}`,
    );
  }
  return { ...spec, ...geometry };
}

/** Why a sample count n read from shared memory cannot be used, or undefined: n must be 1..capacity. */
export function sampleCountProblem(n: number, capacity: number): string | undefined {
  if (Number.isInteger(n) && n >= 1 && n <= capacity) return undefined;
  return `sample count ${n} is outside 1..${capacity}`;
}

/**
 * Why the first `n` sample times cannot be used, or undefined: they must be
 * finite and strictly increasing, times[0] the window start and the last no
 * later than the window's end (Infinity when the window's size is not known
 * yet), each within `tolerance` × max(1, |end|). `n` must have been checked.
 * Allocates nothing unless there is a problem.
 */
export function sampleTimesProblem(
  times: Float64Array,
  n: number,
  windowStart: number,
  windowEnd: number,
  tolerance: number,
): string | undefined {
  const first = times[0] as number;
  const startSlack = tolerance * Math.max(1, Math.abs(windowStart));
  if (!Number.isFinite(first) || Math.abs(first - windowStart) > startSlack) {
    return `sample 0 is at time ${first}, not at the window start ${windowStart}`;
  }
  const endSlack = Number.isFinite(windowEnd) ? tolerance * Math.max(1, Math.abs(windowEnd)) : 0;
  let previous = first;
  for (let i = 1; i < n; i++) {
    const time = times[i] as number;
    if (!Number.isFinite(time)) return `sample ${i} has time ${time}`;
    if (!(time > previous)) return `sample ${i} is at time ${time}, not after sample ${i - 1} at ${previous}`;
    if (time - windowEnd > endSlack) return `sample ${i} is at time ${time}, after the window's end ${windowEnd}`;
    previous = time;
  }
  return undefined;
}
