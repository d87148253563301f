// The waveform layout (wire/waveform.ts): geometry, metadata written and read
// back, every corrupt field refused by name, the segment name's limit, and the
// checks a reader makes of n and of the sample times.
import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_NAME_BYTES } from "../../src/wire/segment-header.ts";
import {
  MAX_WAVEFORM_CAPACITY,
  readWaveformMetadata,
  sampleCountProblem,
  sampleTimesProblem,
  WAVEFORM_MAGIC,
  WaveformMetadataError,
  WaveformOffset,
  WaveformRole,
  waveformGeometry,
  waveformNameProblem,
  waveformSegmentName,
  writeWaveformMetadata,
} from "../../src/wire/waveform.ts";

const spec = { role: WaveformRole.writtenByDriver, count: 5, capacity: 11, degree: 2 } as const;

test("times start at 64, values on the next cache line, one 64-byte-aligned stride per sample", () => {
  assert.deepEqual(waveformGeometry(5, 11), { timesOffset: 64, valuesOffset: 192, stride: 64, payloadBytes: 896 });
  assert.deepEqual(waveformGeometry(9, 8), { timesOffset: 64, valuesOffset: 128, stride: 128, payloadBytes: 1152 });
});

test("metadata written is read back, with n = 0 and the magic set", () => {
  const geometry = waveformGeometry(spec.count, spec.capacity);
  const buffer = new ArrayBuffer(64 + geometry.payloadBytes);
  writeWaveformMetadata(buffer, 64, spec);
  const view = new DataView(buffer, 64);
  assert.equal(view.getUint32(WaveformOffset.magic, true), WAVEFORM_MAGIC);
  assert.equal(view.getUint32(WaveformOffset.sampleCount, true), 0);
  assert.deepEqual(readWaveformMetadata(buffer, 64, geometry.payloadBytes, "test"), { ...spec, ...geometry });
});

test("a reader refuses corrupt metadata, naming the field", () => {
  const geometry = waveformGeometry(spec.count, spec.capacity);
  const cases: [string, (view: DataView) => void, RegExp, number?][] = [
    ["magic", (view) => view.setUint32(0, 0x12345678, true), /no waveform metadata \(magic 0x12345678/],
    ["version", (view) => view.setUint32(4, 2, true), /waveform layout version 2, this conflux reads 1/],
    ["role", (view) => view.setUint32(8, 3, true), /role 3 is not 1/],
    ["count", (view) => view.setInt32(12, -1, true), /point count 4294967295 must be/],
    ["capacity", (view) => view.setUint32(16, 1, true), /capacity 1 must be/],
    ["capacity too big", (view) => view.setUint32(16, MAX_WAVEFORM_CAPACITY + 1, true), /capacity 65537 must be/],
    ["degree", (view) => view.setUint32(20, 4, true), /degree 4 must be/],
    ["fits", (view) => view.setUint32(16, 12, true), /12 samples of 5 points need 960 bytes; the segment has 896/],
    ["short", () => {}, /40 bytes cannot hold waveform metadata/, 40],
  ];
  for (const [what, corrupt, message, bytes] of cases) {
    const buffer = new ArrayBuffer(geometry.payloadBytes);
    writeWaveformMetadata(buffer, 0, spec);
    corrupt(new DataView(buffer));
    assert.throws(
      () => readWaveformMetadata(buffer, 0, bytes ?? geometry.payloadBytes, "waveform X"),
      (error: Error) =>
        error instanceof WaveformMetadataError && /^waveform X: /.test(error.message) && message.test(error.message),
      what,
    );
  }
});

test("the segment name is <component>.<mesh>.<field>.waveform, at most 96 bytes", () => {
  assert.equal(waveformSegmentName("Dirichlet", "interface", "T"), "Dirichlet.interface.T.waveform");
  const long = "m".repeat(MAX_NAME_BYTES - "a..f.waveform".length);
  assert.equal(waveformNameProblem("a", long, "f"), undefined);
  assert.equal(waveformSegmentName("a", long, "f").length, MAX_NAME_BYTES);
  const problem = waveformNameProblem("a", `${long}é`, "f");
  assert.match(
    problem ?? "",
    /98 bytes; segment names hold at most 96: shorten the component, mesh or field name by 2 bytes/,
  );
  assert.throws(() => waveformSegmentName("a", `${long}é`, "f"), WaveformMetadataError);
});

test("n must be 1..capacity", () => {
  assert.equal(sampleCountProblem(1, 11), undefined);
  assert.equal(sampleCountProblem(11, 11), undefined);
  assert.match(sampleCountProblem(0, 11) ?? "", /sample count 0 is outside 1..11/);
  assert.match(sampleCountProblem(12, 11) ?? "", /sample count 12/);
  assert.match(sampleCountProblem(-5, 11) ?? "", /sample count -5/);
});

test("sample times must be finite, strictly increasing and inside the window", () => {
  const times = new Float64Array([0.1, 0.15, 0.2, 0.2, Number.NaN]);
  assert.equal(sampleTimesProblem(times, 3, 0.1, 0.2, 1e-9), undefined);
  assert.equal(
    sampleTimesProblem(times, 3, 0.1, Number.POSITIVE_INFINITY, 1e-9),
    undefined,
    "a window of unknown size",
  );
  assert.equal(sampleTimesProblem(times, 3, 0.1, 0.2 - 1e-12, 1e-9), undefined, "the end within the tolerance");
  assert.match(
    sampleTimesProblem(times, 3, 0.1, 0.19, 1e-9) ?? "",
    /sample 2 is at time 0.2, after the window's end 0.19/,
  );
  assert.match(sampleTimesProblem(times, 4, 0.1, 0.2, 1e-9) ?? "", /sample 3 is at time 0.2, not after sample 2/);
  times[3] = Number.NaN;
  assert.match(sampleTimesProblem(times, 4, 0.1, 0.3, 1e-9) ?? "", /sample 3 has time NaN/);
  assert.match(
    sampleTimesProblem(times, 2, 0.0, 0.3, 1e-9) ?? "",
    /sample 0 is at time 0.1, not at the window start 0/,
  );
  assert.match(
    sampleTimesProblem(new Float64Array([0.1, 0.05]), 2, 0.1, 0.3, 1e-9) ?? "",
    /sample 1 is at time 0.05, not after sample 0/,
  );
});
