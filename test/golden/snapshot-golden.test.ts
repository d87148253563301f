// snapshot.bin, the golden image of the snapshot layout: the TypeScript code
// and the Python client write it byte for byte and read it back (the C client
// does not speak snapshots yet); the Python client's reader copies snapshot 3
// out of it, and refuses a copy of it whose metadata disagrees.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { readSnapshotMetadata, SnapshotOffset } from "../../src/wire/snapshot.ts";
import { pythonEnvironment } from "../clients/toolchain.ts";
import { projectRoot } from "../support/child-process.ts";
import { needs, PYTHON, pythonCommand } from "../support/requirements.ts";
import { assertSameBytes } from "./same-bytes.ts";
import { GOLDEN_SNAPSHOT, snapshotImage } from "./snapshot-image.ts";

const golden = new Uint8Array(readFileSync(new URL("./snapshot.bin", import.meta.url)));

test("the TypeScript code writes snapshot.bin byte for byte and reads its metadata back", () => {
  assertSameBytes(snapshotImage(), golden, "TypeScript snapshot.bin");
  const copy = Uint8Array.from(golden).buffer;
  const metadata = readSnapshotMetadata(copy, 0, copy.byteLength, "snapshot.bin");
  assert.deepEqual(
    [
      metadata.dimension,
      metadata.count,
      metadata.layout,
      metadata.fields,
      metadata.bufferStride,
      metadata.fieldsOffset,
    ],
    [2, 3, "interleaved", ["id", "type"], 256, 128],
  );
  new DataView(copy).setUint32(SnapshotOffset.bufferStride, 192, true);
  assert.throws(
    () => readSnapshotMetadata(copy, 0, copy.byteLength, "snapshot.bin"),
    /snapshot\.bin: offsets \(buffers 640, buffer stride 192, fields 128, field stride 64\) disagree with 3 points and 2 fields in 2-D \(expected 640, 256, 128, 64\)/,
  );
});

const PYTHON_IMAGE = `
import struct, sys
import conflux
payload = ${GOLDEN_SNAPSHOT.payloadBytes}
assert conflux.snapshot_geometry(2, 3, 2)[5] == payload
memory = conflux.Memory(bytearray(payload))
conflux.write_snapshot(memory, 0, payload, 2, 3, "interleaved", ["id", "type"])
spec = conflux.read_snapshot(memory, 0, payload)
buffers = ${JSON.stringify(GOLDEN_SNAPSHOT.buffers)}
stride = conflux.snapshot_geometry(2, 3, 2)[1]
for index, b in enumerate(buffers):
    at = conflux.SNAPSHOT_BUFFERS + index * stride
    struct.pack_into("<I", memory.view, at + conflux.SNAPSHOT_SEQUENCE, b["sequence"])
    struct.pack_into("<dd", memory.view, at + conflux.SNAPSHOT_STEP, b["step"], b["time"])
    struct.pack_into("<6d", memory.view, at + conflux.SNAPSHOT_COORDINATES, *b["coordinates"])
    struct.pack_into("<3d", memory.view, at + spec.fields_offset, *b["id"])
    struct.pack_into("<3d", memory.view, at + spec.fields_offset + spec.field_stride, *b["type"])
memory.store(conflux.SNAPSHOT_LATEST, ${GOLDEN_SNAPSHOT.latest})
open(sys.argv[1], "wb").write(bytes(memory.buffer))
golden = conflux.Memory(bytearray(open(sys.argv[2], "rb").read()))
read = conflux.read_snapshot(golden, 0, payload, "snapshot.bin")
print(read.dimension, read.count, read.layout, ",".join(read.fields), read.fields_offset, read.field_stride)
`;

test("the Python client writes snapshot.bin byte for byte and reads its metadata back", needs(PYTHON), (t) => {
  const directory = mkdtempSync(join(tmpdir(), "conflux-snapshot-golden-"));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  const output = join(directory, "snapshot.bin");
  const result = spawnSync(
    pythonCommand() as string,
    ["-c", PYTHON_IMAGE, output, join(projectRoot, "test/golden/snapshot.bin")],
    {
      env: { ...process.env, ...pythonEnvironment() },
      encoding: "utf8",
    },
  );
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout.trim(), "2 3 interleaved id,type 128 64");
  assertSameBytes(new Uint8Array(readFileSync(output)), golden, "Python snapshot.bin");
});
