// The wire format's golden images, checked against the TypeScript code that
// defines each layout: writing with fixed inputs gives the committed bytes,
// and reading the committed bytes gives back the inputs. The C and Python
// clients are held to the same files by test/clients/golden.test.ts.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { Message } from "../../src/queue/message.ts";
import { RingConsumer } from "../../src/queue/ring.ts";
import { waitStrategy } from "../../src/queue/wait-strategy.ts";
import { Registry } from "../../src/shm/registry.ts";
import { Segment } from "../../src/shm/segment.ts";
import { readMeshMetadata } from "../../src/wire/mesh.ts";
import { readHeader, SegmentKind } from "../../src/wire/segment-header.ts";
import { readWaveformMetadata, sampleCountProblem, sampleTimesProblem } from "../../src/wire/waveform.ts";
import { scratchRun } from "../support/scratch-run.ts";
import { GOLDEN, GOLDEN_FILES, GOLDEN_WAVEFORM, goldenImages, goldenMessages } from "./images.ts";
import { assertSameBytes } from "./same-bytes.ts";

function golden(file: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`./${file}`, import.meta.url)));
}

function copy(bytes: Uint8Array): ArrayBuffer {
  return Uint8Array.from(bytes).buffer;
}

test("the TypeScript code writes every golden image byte for byte", (t) => {
  const images = goldenImages(scratchRun(t));
  assert.deepEqual([...images.keys()], [...GOLDEN_FILES]);
  for (const [file, bytes] of images) assertSameBytes(bytes, golden(file), `TypeScript ${file}`);
});

test("the TypeScript readers read the golden images back", () => {
  // header.bin followed by mesh-soa.bin is appA's whole mesh segment.
  const segment = new Uint8Array([...golden("header.bin"), ...golden("mesh-soa.bin")]);
  const header = readHeader(segment.buffer, 0, segment.length, "header.bin", {
    kind: SegmentKind.mesh,
    runId: GOLDEN.runId,
  });
  assert.deepEqual(header, {
    layoutVersion: 1,
    headerSize: 256,
    payloadSize: GOLDEN.meshPayloadBytes,
    creatorPid: GOLDEN.componentPid,
    kind: SegmentKind.mesh,
    runId: GOLDEN.runId,
    createdUnixMs: GOLDEN.createdUnixMs,
    name: "appA.mesh.surface",
  });

  const registryBuffer = copy(golden("registry.bin"));
  const registry = Registry.attach(
    Segment.attach(registryBuffer, 0, registryBuffer.byteLength, "registry.bin", { kind: SegmentKind.registry }),
  );
  assert.equal(registry.generation, 2);
  assert.deepEqual(
    registry.list().map((entry) => [entry.name, entry.file, entry.offset, entry.length, entry.kind, entry.creatorPid]),
    [
      ["appA.channel", "seg-0a1b2c3d4e5f", 0, 1216, SegmentKind.ring, GOLDEN.driverPid],
      ["appA.mesh.surface", "seg-a0b1c2d3e4f5", 0, 1088, SegmentKind.mesh, GOLDEN.componentPid],
    ],
  );

  const consumer = new RingConsumer(
    { buffer: copy(golden("ring.bin")), byteOffset: 0, where: "ring.bin", strategy: waitStrategy(), peer: null },
    null,
  );
  const received = new Message();
  for (const [sequence, sent] of goldenMessages().entries()) {
    assert.ok(consumer.tryReceive(received));
    assert.deepEqual(
      [
        received.sequence,
        received.opcode,
        received.flags,
        received.length,
        received.correlation,
        [...received.payload],
      ],
      [sequence, sent.opcode, sent.flags, sent.length, sent.correlation, [...sent.payload]],
    );
  }
  assert.equal(consumer.tryReceive(received), false);

  const soa = readMeshMetadata(copy(golden("mesh-soa.bin")), 0, GOLDEN.meshPayloadBytes, "mesh-soa.bin");
  assert.deepEqual(soa, {
    dimension: 3,
    count: 5,
    layout: "soa",
    fields: ["temperature", "flux"],
    coordinatesOffset: 576,
    fieldsOffset: 704,
    fieldStride: 64,
    payloadBytes: 832,
  });
  const interleaved = readMeshMetadata(copy(golden("mesh-interleaved.bin")), 0, 832, "mesh-interleaved.bin");
  assert.deepEqual(
    [interleaved.dimension, interleaved.count, interleaved.layout, interleaved.fields, interleaved.fieldsOffset],
    [2, 3, "interleaved", ["u", "v", "pressure"], 640],
  );

  const waveform = copy(golden("waveform.bin"));
  const waveformHeader = readHeader(waveform, 0, waveform.byteLength, "waveform.bin", {
    kind: SegmentKind.waveform,
    runId: GOLDEN.runId,
  });
  assert.deepEqual(
    [waveformHeader.name, waveformHeader.payloadSize, waveformHeader.creatorPid],
    [GOLDEN_WAVEFORM.name, GOLDEN_WAVEFORM.payloadBytes, GOLDEN.driverPid],
  );
  const metadata = readWaveformMetadata(waveform, 256, waveformHeader.payloadSize, "waveform.bin");
  assert.deepEqual(metadata, {
    role: 2,
    count: 3,
    capacity: 4,
    degree: 2,
    timesOffset: 64,
    valuesOffset: 128,
    stride: 64,
    payloadBytes: 384,
  });
  const n = new Int32Array(waveform, 256, 8)[6] as number;
  assert.equal(sampleCountProblem(n, metadata.capacity), undefined);
  assert.equal(n, 3);
  const start = new Float64Array(waveform, 256 + 32, 1)[0] as number;
  const times = new Float64Array(waveform, 256 + 64, metadata.capacity);
  assert.equal(sampleTimesProblem(times, n, start, Number.POSITIVE_INFINITY, 1e-9), undefined);
  assert.deepEqual([start, ...times.subarray(0, n)], [GOLDEN_WAVEFORM.windowStart, ...GOLDEN_WAVEFORM.times]);
  GOLDEN_WAVEFORM.samples.forEach((sample, i) => {
    assert.deepEqual([...new Float64Array(waveform, 256 + 128 + i * 64, 3)], sample);
  });
});
