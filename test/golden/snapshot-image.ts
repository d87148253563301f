// The golden image of a snapshot's payload (docs/wire-format.md, "Snapshot"),
// made by the TypeScript layout code from fixed inputs: 2-D, interleaved,
// three atoms, fields id and type, snapshot 3 published (in buffer 1) with
// snapshot 2 still in buffer 0. The committed snapshot.bin is the contract;
// the Python client writes the same bytes (snapshot-golden.test.ts). Regenerate
// only for a new layout version, and then on purpose:
//   node --import tsx -e 'import("./test/golden/snapshot-image.ts").then((m) => m.writeSnapshotImage())'
import { writeFileSync } from "node:fs";
import { LATEST_WORD, SnapshotBufferOffset, snapshotGeometry, writeSnapshotMetadata } from "../../src/wire/snapshot.ts";

export const GOLDEN_SNAPSHOT = {
  spec: { dimension: 2, count: 3, layout: "interleaved", fields: ["id", "type"] },
  latest: 3,
  buffers: [
    { sequence: 4, step: 200, time: 0.6, coordinates: [0, 0, 1.1, 0, 0.55, 0.95], id: [3, 1, 2], type: [1, 1, 2] },
    {
      sequence: 6,
      step: 300,
      time: 0.9,
      coordinates: [0.01, 0, 1.12, 0.01, 0.55, 0.97],
      id: [2, 3, 1],
      type: [1, 1, 2],
    },
  ],
  payloadBytes: 1152,
} as const;

export function snapshotImage(): Uint8Array {
  const { spec } = GOLDEN_SNAPSHOT;
  const meshSpec = { ...spec, fields: [...spec.fields] };
  const geometry = snapshotGeometry(meshSpec);
  const buffer = new ArrayBuffer(geometry.payloadBytes);
  writeSnapshotMetadata(buffer, 0, meshSpec);
  GOLDEN_SNAPSHOT.buffers.forEach((contents, index) => {
    const start = geometry.buffersOffset + index * geometry.bufferStride;
    new Uint32Array(buffer, start + SnapshotBufferOffset.sequence, 1)[0] = contents.sequence;
    new Float64Array(buffer, start + SnapshotBufferOffset.step, 2).set([contents.step, contents.time]);
    new Float64Array(buffer, start + geometry.coordinatesOffset, 6).set(contents.coordinates);
    new Float64Array(buffer, start + geometry.fieldsOffset, 3).set(contents.id);
    new Float64Array(buffer, start + geometry.fieldsOffset + geometry.fieldStride, 3).set(contents.type);
  });
  new Uint32Array(buffer, 0, LATEST_WORD + 1)[LATEST_WORD] = GOLDEN_SNAPSHOT.latest;
  return new Uint8Array(buffer);
}

export function writeSnapshotImage(): void {
  writeFileSync(new URL("./snapshot.bin", import.meta.url), snapshotImage());
}
