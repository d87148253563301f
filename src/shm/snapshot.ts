// A snapshot in a shared segment (layout: wire/snapshot.ts): a mesh its owner
// publishes double-buffered while readers in other processes copy it out at
// their own pace. The writer never waits: snapshot k goes into buffer k mod 2,
// between a sequence word made odd (2k − 1) and then even (2k), and `latest`
// names it once it is whole. A reader copies the buffer `latest` names and
// keeps the copy only if that buffer's sequence word read 2k before and after
// the copy (a seqlock); otherwise the writer overtook it and it tries the newer
// one. The writer is another component, so every word it wrote is checked where
// it is used, and a writer that never leaves a snapshot whole is named, not
// waited for.

import { native } from "../native/index.ts";
import type { MeshSpec } from "../wire/mesh.ts";
import { SegmentKind } from "../wire/segment-header.ts";
import {
  completeSequence,
  LATEST_WORD,
  readSnapshotMetadata,
  SnapshotBufferOffset,
  type SnapshotGeometry,
  snapshotGeometry,
  snapshotSegmentName,
  writeSnapshotMetadata,
} from "../wire/snapshot.ts";
import type { Run } from "./run.ts";
import type { Segment } from "./segment.ts";

/** How often in a row a reader may find its snapshot overwritten before it names the writer. */
export const SNAPSHOT_READ_ATTEMPTS = 1000;
/** Half the sequence space: a `latest` further ahead than this went backwards. */
const HALF_RANGE = 0x80000000;

/** Words a writer left that no reader can use; the message names the snapshot. */
export class SnapshotError extends Error {
  override name = "SnapshotError";
}

/** One of the two buffers as typed arrays over the segment. */
interface BufferViews {
  words: Uint32Array;
  /** [step, time]. */
  stamp: Float64Array;
  /** Coordinates, then the fields, as they lie in the buffer (the copy a reader makes is of this range). */
  data: Float64Array;
  coordinates: Float64Array;
  fields: Map<string, Float64Array>;
}

function bufferViews(segment: Segment, spec: MeshSpec, geometry: SnapshotGeometry, index: number): BufferViews {
  const start = segment.payloadOffset + geometry.buffersOffset + index * geometry.bufferStride;
  const dataBytes = geometry.bufferStride - geometry.coordinatesOffset;
  const data = new Float64Array(segment.buffer, start + geometry.coordinatesOffset, dataBytes / 8);
  return {
    words: new Uint32Array(segment.buffer, start, 2),
    stamp: new Float64Array(segment.buffer, start + SnapshotBufferOffset.step, 2),
    data,
    ...fieldViews(data, spec, geometry),
  };
}

/** Coordinates and fields as views of `data`, a buffer's data range (shared, or a reader's copy of it). */
function fieldViews(
  data: Float64Array,
  spec: MeshSpec,
  geometry: SnapshotGeometry,
): { coordinates: Float64Array; fields: Map<string, Float64Array> } {
  const base = data.byteOffset - geometry.coordinatesOffset;
  const coordinates = new Float64Array(data.buffer, data.byteOffset, spec.count * spec.dimension);
  const fields = new Map<string, Float64Array>();
  spec.fields.forEach((field, index) => {
    fields.set(
      field,
      new Float64Array(data.buffer, base + geometry.fieldsOffset + index * geometry.fieldStride, spec.count),
    );
  });
  return { coordinates, fields };
}

class SharedSnapshot {
  protected readonly latest: Int32Array;
  protected readonly buffers: readonly [BufferViews, BufferViews];

  protected constructor(
    readonly name: string,
    readonly spec: MeshSpec,
    readonly segment: Segment,
    protected readonly geometry: SnapshotGeometry,
  ) {
    this.latest = new Int32Array(segment.buffer, segment.payloadOffset, LATEST_WORD + 1);
    this.buffers = [bufferViews(segment, spec, geometry, 0), bufferViews(segment, spec, geometry, 1)];
  }

  close(): void {
    this.segment.close();
  }
}

/** A buffer being written: its coordinates, and each field by name. */
export interface WritableBuffer {
  coordinates: Float64Array;
  field(name: string): Float64Array;
}

/** The owner's side: fill the buffer begin() returns, then publish(). */
export class SnapshotWriter extends SharedSnapshot {
  /** Snapshots published; the writer counts them itself and never trusts the segment's words. */
  private published = 0;
  private open = false;

  /** What begin() hands out for each buffer, made once: a publish allocates nothing. */
  private readonly writable = this.buffers.map(
    (buffer): WritableBuffer => ({
      coordinates: buffer.coordinates,
      field: (field: string) => {
        const values = buffer.fields.get(field);
        if (values === undefined) throw new Error(`snapshot "${this.name}" has no field "${field}"`);
        return values;
      },
    }),
  );

  /** The component creates snapshot `mesh` of its own and publishes the metadata; no snapshot yet. */
  static create(run: Run, component: string, mesh: string, spec: MeshSpec): SnapshotWriter {
    const name = snapshotSegmentName(component, mesh);
    const geometry = snapshotGeometry(spec);
    const segment = run.createSegment(name, geometry.payloadBytes, SegmentKind.snapshot);
    try {
      writeSnapshotMetadata(segment.buffer, segment.payloadOffset, spec);
    } catch (error) {
      segment.close();
      throw error;
    }
    return new SnapshotWriter(name, spec, segment, geometry);
  }

  /** How many snapshots were published. */
  get count(): number {
    return this.published;
  }

  /** Marks the buffer no reader should be reading (of snapshot k − 2) as being written, and returns its views. */
  begin(): WritableBuffer {
    if (this.open) throw new Error(`snapshot "${this.name}": begin() twice without publish()`);
    const next = this.published + 1;
    const buffer = this.buffers[next & 1] as BufferViews;
    // A sequentially consistent store: no write of the snapshot's data is seen before the odd word.
    Atomics.store(buffer.words, 0, (completeSequence(next) - 1) >>> 0);
    this.open = true;
    return this.writable[next & 1] as WritableBuffer;
  }

  /** The buffer is whole: stamps it, makes its word even, names it latest and wakes the readers that sleep on it. */
  publish(step: number, time: number): number {
    if (!this.open) throw new Error(`snapshot "${this.name}": publish() without begin()`);
    const next = this.published + 1;
    const buffer = this.buffers[next & 1] as BufferViews;
    buffer.stamp[0] = step;
    buffer.stamp[1] = time;
    Atomics.store(buffer.words, 0, completeSequence(next));
    Atomics.store(this.latest, LATEST_WORD, next | 0);
    native.futexWake(this.segment.buffer, this.segment.payloadOffset + LATEST_WORD * 4, 0x7fffffff);
    this.published = next;
    this.open = false;
    return next;
  }
}

/** A reader's side: read() copies the latest snapshot, whole, into arrays of its own. */
export class SnapshotReader extends SharedSnapshot {
  /** The copy of the last snapshot read: coordinates and fields as the writer's buffer holds them. */
  readonly coordinates: Float64Array;
  private readonly copy: Float64Array;
  private readonly copiedFields: Map<string, Float64Array>;
  /** The number of the snapshot in the copy (0 before the first read), its step and time. */
  number = 0;
  step = Number.NaN;
  time = Number.NaN;
  /** Snapshots read, and published snapshots this reader never saw (it was busy when they were overwritten). */
  read = 0;
  skipped = 0;

  private constructor(name: string, spec: MeshSpec, segment: Segment, geometry: SnapshotGeometry) {
    super(name, spec, segment, geometry);
    this.copy = new Float64Array(this.buffers[0].data.length);
    const views = fieldViews(this.copy, spec, geometry);
    this.coordinates = views.coordinates;
    this.copiedFields = views.fields;
  }

  /** Maps the snapshot registered as `name` and checks its metadata (and, given, that it matches `expect`). */
  static open(run: Run, name: string, expect?: MeshSpec): SnapshotReader {
    const segment = run.openSegment(name, { kind: SegmentKind.snapshot });
    const where = `snapshot "${name}"`;
    try {
      const metadata = readSnapshotMetadata(segment.buffer, segment.payloadOffset, segment.payloadSize, where);
      const spec: MeshSpec = {
        dimension: metadata.dimension,
        count: metadata.count,
        layout: metadata.layout,
        fields: metadata.fields,
      };
      if (expect !== undefined) {
        const problems = specDifferences(spec, expect);
        if (problems.length > 0) throw new SnapshotError(`${where} is unlike its declaration: ${problems.join("; ")}`);
      }
      return new SnapshotReader(name, spec, segment, metadata);
    } catch (error) {
      segment.close();
      throw error;
    }
  }

  field(name: string): Float64Array {
    const values = this.copiedFields.get(name);
    if (values === undefined)
      throw new Error(`snapshot "${this.name}" has no field "${name}"; it has ${this.spec.fields.join(", ")}`);
    return values;
  }

  /** The number the writer's `latest` word holds now (0: nothing published yet). */
  latestNumber(): number {
    return Atomics.load(this.latest, LATEST_WORD) >>> 0;
  }

  /**
   * Copies the latest snapshot if it is newer than the one in the copy: true when it did. Counts the
   * snapshots skipped since the last read. Throws SnapshotError, naming the snapshot, when `latest` went
   * backwards or no whole snapshot could be copied in SNAPSHOT_READ_ATTEMPTS tries.
   */
  tryRead(): boolean {
    for (let attempt = 0; attempt < SNAPSHOT_READ_ATTEMPTS; attempt++) {
      const latest = this.latestNumber();
      if (latest === 0 || latest === this.number) return false;
      const ahead = (latest - this.number) >>> 0;
      if (ahead >= HALF_RANGE) {
        throw new SnapshotError(
          `snapshot "${this.name}": its latest snapshot went back from ${this.number} to ${latest}; its writer wrote out of turn`,
        );
      }
      const buffer = this.buffers[latest & 1] as BufferViews;
      const sequence = completeSequence(latest);
      if (Atomics.load(buffer.words, 0) !== sequence) continue; // overwritten since: the newer latest is whole
      this.copy.set(buffer.data);
      const step = buffer.stamp[0] as number;
      const time = buffer.stamp[1] as number;
      if (Atomics.load(buffer.words, 0) !== sequence) continue; // written while copied: torn, try again
      this.skipped += ahead - 1;
      this.read += 1;
      this.number = latest;
      this.step = step;
      this.time = time;
      return true;
    }
    throw new SnapshotError(
      `snapshot "${this.name}": no whole snapshot could be copied in ${SNAPSHOT_READ_ATTEMPTS} tries; its writer publishes two snapshots faster than one is copied, or writes out of turn`,
    );
  }

  /** Sleeps until `latest` changes from `seen` or `timeoutNs` passes (a futex; a spurious wake is harmless). */
  waitForNewer(seen: number, timeoutNs: number): void {
    native.futexWait(this.segment.buffer, this.segment.payloadOffset + LATEST_WORD * 4, seen | 0, timeoutNs);
  }
}

/** What differs between a snapshot's metadata and its declaration. */
export function specDifferences(
  actual: MeshSpec,
  expected: Omit<MeshSpec, "count"> & { count?: number | undefined },
): string[] {
  const problems: string[] = [];
  if (actual.dimension !== expected.dimension)
    problems.push(`dimension ${actual.dimension}, declared ${expected.dimension}`);
  if (expected.count !== undefined && actual.count !== expected.count)
    problems.push(`${actual.count} points, declared ${expected.count}`);
  if (actual.layout !== expected.layout) problems.push(`layout ${actual.layout}, declared ${expected.layout}`);
  for (const field of expected.fields) if (!actual.fields.includes(field)) problems.push(`no field "${field}"`);
  return problems;
}
