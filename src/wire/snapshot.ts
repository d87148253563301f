// A snapshot segment's layout (docs/wire-format.md, "Snapshot", version 1): a
// mesh published double-buffered for an asynchronous coupling. Its one writer
// (the component that owns the mesh) fills the buffer readers are not reading
// and publishes it with a sequence number, seqlock-style, and never waits for a
// reader; a reader copies the latest snapshot and keeps the copy only if the
// buffer's sequence word did not change under it, and a late reader skips the
// snapshots it missed. This module is the only code that encodes the layout;
// shm/snapshot.ts maps it.
import {
  checkMeshSpec,
  checkPointDataFits,
  MAX_FIELD_NAME_BYTES,
  MAX_FIELDS,
  MeshMetadataError,
  type MeshSpec,
  meshShapedPreamble,
  pointDataGeometry,
  readSpecHead,
  SpecHeadOffset,
  writeSpecHead,
} from "./mesh.ts";

export const SNAPSHOT_MAGIC = 0x50414e53; // "SNAP"
export const SNAPSHOT_LAYOUT_VERSION = 1;
/** Snapshot k lives in buffer k mod 2. */
export const SNAPSHOT_BUFFERS = 2;

/** Byte offsets in a snapshot's payload. */
// The first 64 bytes are the head mesh metadata opens with (dimension at 8, layout at
// 12, count at 16, field count at 20, field names from 64), so both are read and
// written by wire/mesh.ts's readSpecHead and writeSpecHead.
export const SnapshotOffset = {
  ...SpecHeadOffset,
  /** Where buffer 0 starts; buffer 1 follows it, bufferStride bytes on. */
  buffersOffset: 24,
  bufferStride: 28,
  /** Within a buffer: where field 0 starts, and the bytes from one field to the next. */
  fieldsOffset: 32,
  fieldStride: 36,
  /** The number of the latest complete snapshot, 0 before the first (mod 2³²); readers futex-wait on it. */
  latest: 64 + MAX_FIELDS * MAX_FIELD_NAME_BYTES,
  buffers: 128 + MAX_FIELDS * MAX_FIELD_NAME_BYTES,
} as const;

/** Byte offsets in a buffer. */
export const SnapshotBufferOffset = {
  /** 2k − 1 while snapshot k is written into the buffer, 2k once it is complete (mod 2³²); 0 before. */
  sequence: 0,
  /** The writer's step (a double), e.g. the MD timestep the snapshot is of. */
  step: 8,
  /** The writer's time (a double). */
  time: 16,
  coordinates: 64,
} as const;

/** Word (32-bit) index of `latest` in the payload, for Atomics and futexes. */
export const LATEST_WORD = SnapshotOffset.latest / 4;

export interface SnapshotGeometry {
  buffersOffset: number;
  /** Bytes of one buffer: its sequence line, the coordinates and the fields. */
  bufferStride: number;
  /** From a buffer's start. */
  coordinatesOffset: number;
  /** From a buffer's start. */
  fieldsOffset: number;
  fieldStride: number;
  payloadBytes: number;
}

export function snapshotGeometry(spec: MeshSpec): SnapshotGeometry {
  const { coordinatesOffset, fieldsOffset, fieldStride, payloadBytes } = pointDataGeometry(
    spec,
    SnapshotBufferOffset.coordinates,
  );
  const bufferStride = payloadBytes;
  const buffersOffset = SnapshotOffset.buffers;
  return {
    buffersOffset,
    bufferStride,
    coordinatesOffset,
    fieldsOffset,
    fieldStride,
    payloadBytes: buffersOffset + SNAPSHOT_BUFFERS * bufferStride,
  };
}

/** The segment of component `component`'s mesh `mesh` when it is published as a snapshot. */
export function snapshotSegmentName(component: string, mesh: string): string {
  return `${component}.snapshot.${mesh}`;
}

/** The sequence word a complete snapshot k leaves in its buffer (2k mod 2³²). */
export function completeSequence(snapshot: number): number {
  return (snapshot * 2) >>> 0;
}

/** Writes the metadata into a payload (the magic last); latest and both sequence words stay 0. */
export function writeSnapshotMetadata(buffer: ArrayBuffer, payloadOffset: number, spec: MeshSpec): SnapshotGeometry {
  checkMeshSpec(spec, "snapshot");
  const geometry = snapshotGeometry(spec);
  const view = new DataView(buffer, payloadOffset, geometry.payloadBytes);
  writeSpecHead(view, buffer, payloadOffset, spec, SNAPSHOT_LAYOUT_VERSION);
  view.setUint32(SnapshotOffset.buffersOffset, geometry.buffersOffset, true);
  view.setUint32(SnapshotOffset.bufferStride, geometry.bufferStride, true);
  view.setUint32(SnapshotOffset.fieldsOffset, geometry.fieldsOffset, true);
  view.setUint32(SnapshotOffset.fieldStride, geometry.fieldStride, true);
  Atomics.store(new Int32Array(buffer, payloadOffset, 1), 0, SNAPSHOT_MAGIC);
  return geometry;
}

const SNAPSHOT_PREAMBLE = meshShapedPreamble({
  what: "snapshot",
  metadataBytes: SnapshotOffset.buffers,
  magic: SNAPSHOT_MAGIC,
  missingReason: "its writer did not publish the snapshot's layout",
  version: SNAPSHOT_LAYOUT_VERSION,
});

/** Reads and checks the metadata another process wrote; every inconsistency is an error that names it. */
export function readSnapshotMetadata(
  buffer: ArrayBuffer,
  payloadOffset: number,
  payloadBytes: number,
  where: string,
): MeshSpec & SnapshotGeometry {
  const { view, spec } = readSpecHead(buffer, payloadOffset, payloadBytes, where, SNAPSHOT_PREAMBLE);
  const expected = snapshotGeometry(spec);
  const stored = [
    view.getUint32(SnapshotOffset.buffersOffset, true),
    view.getUint32(SnapshotOffset.bufferStride, true),
    view.getUint32(SnapshotOffset.fieldsOffset, true),
    view.getUint32(SnapshotOffset.fieldStride, true),
  ];
  const wanted = [expected.buffersOffset, expected.bufferStride, expected.fieldsOffset, expected.fieldStride];
  if (stored.some((value, index) => value !== wanted[index])) {
    throw new MeshMetadataError(
      `${where}: offsets (buffers ${stored[0]}, buffer stride ${stored[1]}, fields ${stored[2]}, field stride ${stored[3]}) disagree with ${spec.count} points and ${spec.fields.length} fields in ${spec.dimension}-D (expected ${wanted.join(", ")})`,
    );
  }
  checkPointDataFits(spec, expected.payloadBytes, payloadBytes, where, " in two buffers");
  return { ...spec, ...expected };
}
