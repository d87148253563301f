// The golden images of the wire format, made by the real TypeScript code
// (the layouts of src/wire/, written through src/shm/registry.ts,
// src/queue/ring.ts and src/queue/channel.ts) from fixed inputs. The
// committed .bin files beside this module are the contract; README.md says
// what each holds. Regenerate them only when the wire format's version changes:
//   node --import tsx test/golden/generate.ts

import { Channel } from "../../src/queue/channel.ts";
import { Message } from "../../src/queue/message.ts";
import { formatRing, RingProducer } from "../../src/queue/ring.ts";
import { waitStrategy } from "../../src/queue/wait-strategy.ts";
import { Registry } from "../../src/shm/registry.ts";
import type { Run } from "../../src/shm/run.ts";
import { Segment } from "../../src/shm/segment.ts";
import { writeMeshMetadata } from "../../src/wire/mesh.ts";
import { REGISTRY_PAYLOAD_SIZE } from "../../src/wire/registry.ts";
import { ringBytes } from "../../src/wire/ring.ts";
import { HEADER_SIZE, SegmentKind, writeHeader } from "../../src/wire/segment-header.ts";
import {
  SAMPLE_COUNT_WORD,
  WaveformOffset,
  WaveformRole,
  waveformGeometry,
  writeWaveformMetadata,
} from "../../src/wire/waveform.ts";

export const GOLDEN = {
  runId: "0123456789abcdef",
  driverPid: 4242,
  componentPid: 4243,
  createdUnixMs: 1714000000123,
  channelCapacity: 4,
  ringCapacity: 4,
  meshPayloadBytes: 832,
} as const;

/** The waveform of waveform.bin: three samples of three points in a waveform of four, read with degree 2. */
export const GOLDEN_WAVEFORM = {
  name: "appA.surface.temperature.waveform",
  role: WaveformRole.writtenByDriver,
  count: 3,
  capacity: 4,
  degree: 2,
  windowStart: 0.5,
  times: [0.5, 0.55, 0.6],
  samples: [
    [1.5, -2.25, 0],
    [3, 1e300, -0],
    [5e-324, Math.PI, 7],
  ],
  payloadBytes: 384,
} as const;

export const GOLDEN_FILES = [
  "header.bin",
  "registry.bin",
  "ring.bin",
  "channel.bin",
  "mesh-soa.bin",
  "mesh-interleaved.bin",
  "waveform.bin",
] as const;
export type GoldenFile = (typeof GOLDEN_FILES)[number];

/** The header of appA's mesh segment (its payload is mesh-soa.bin). */
export function headerImage(): Uint8Array {
  const buffer = new ArrayBuffer(HEADER_SIZE);
  writeHeader(buffer, 0, {
    payloadSize: GOLDEN.meshPayloadBytes,
    creatorPid: GOLDEN.componentPid,
    kind: SegmentKind.mesh,
    runId: GOLDEN.runId,
    createdUnixMs: GOLDEN.createdUnixMs,
    name: "appA.mesh.surface",
  });
  return new Uint8Array(buffer);
}

/** A whole registry segment, header and payload, with two live entries (generation 2). */
export function registryImage(): Uint8Array {
  const buffer = new ArrayBuffer(HEADER_SIZE + REGISTRY_PAYLOAD_SIZE);
  writeHeader(buffer, 0, {
    payloadSize: REGISTRY_PAYLOAD_SIZE,
    creatorPid: GOLDEN.driverPid,
    kind: SegmentKind.registry,
    runId: GOLDEN.runId,
    createdUnixMs: GOLDEN.createdUnixMs,
    name: "registry",
  });
  const registry = Registry.format(Segment.attach(buffer, 0, buffer.byteLength, "golden registry"));
  registry.register({
    name: "appA.channel",
    file: "seg-0a1b2c3d4e5f",
    offset: 0,
    length: HEADER_SIZE + 960,
    kind: SegmentKind.ring,
    creatorPid: GOLDEN.driverPid,
  });
  registry.register({
    name: "appA.mesh.surface",
    file: "seg-a0b1c2d3e4f5",
    offset: 0,
    length: HEADER_SIZE + GOLDEN.meshPayloadBytes,
    kind: SegmentKind.mesh,
    creatorPid: GOLDEN.componentPid,
  });
  return new Uint8Array(buffer);
}

/** The two records of ring.bin, as every client sends them. */
export function goldenMessages(): [Message, Message] {
  const go = new Message().set(0x20, 7);
  const reply = new Message();
  reply.opcode = 0x41;
  reply.flags = 0x8001;
  reply.correlation = 0x89abcdef | 0;
  reply.length = 48;
  reply.payload.set([1.5, -2.25, 1e300, -0, 5e-324, Math.PI]);
  return [go, reply];
}

/** A ring of capacity 4 with two records published (tail 2, head 0). */
export function ringImage(): Uint8Array {
  const buffer = new ArrayBuffer(ringBytes(GOLDEN.ringCapacity));
  formatRing(buffer, 0, GOLDEN.ringCapacity);
  const producer = new RingProducer({
    buffer,
    byteOffset: 0,
    where: "golden ring",
    strategy: waitStrategy(),
    peer: null,
  });
  for (const message of goldenMessages()) {
    if (!producer.trySend(message)) throw new Error("the golden ring is full");
  }
  return new Uint8Array(buffer);
}

/**
 * A channel's payload (control line and two empty rings of capacity 4), made
 * by Channel.create and Channel.attach in `run`; both record this process's
 * pid, which is then replaced by the fixed driver and component pids.
 */
export function channelImage(run: Run): Uint8Array {
  const driver = Channel.create(run, "golden.channel", { capacity: GOLDEN.channelCapacity });
  const component = Channel.attach(run, "golden.channel");
  try {
    const image = Uint8Array.from(driver.segment.bytes());
    const view = new DataView(image.buffer);
    for (const at of [12, 16]) {
      if (view.getUint32(at, true) !== process.pid) throw new Error(`channel control word ${at} is not this pid`);
    }
    view.setUint32(12, GOLDEN.driverPid, true);
    view.setUint32(16, GOLDEN.componentPid, true);
    return image;
  } finally {
    component.close();
    driver.close();
  }
}

/** Mesh metadata for 5 points in 3-D, structure of arrays, fields temperature and flux (data left zero). */
export function meshSoaImage(): Uint8Array {
  const buffer = new ArrayBuffer(GOLDEN.meshPayloadBytes);
  writeMeshMetadata(buffer, 0, { dimension: 3, count: 5, layout: "soa", fields: ["temperature", "flux"] });
  return new Uint8Array(buffer);
}

/** Mesh metadata for 3 points in 2-D, interleaved, fields u, v and pressure. */
export function meshInterleavedImage(): Uint8Array {
  const buffer = new ArrayBuffer(GOLDEN.meshPayloadBytes);
  writeMeshMetadata(buffer, 0, { dimension: 2, count: 3, layout: "interleaved", fields: ["u", "v", "pressure"] });
  return new Uint8Array(buffer);
}

/**
 * A whole waveform segment: header (kind 5, pid 4242, the driver's) and payload: metadata, n = 3 published,
 * window start 0.5, three sample times and three samples (the fourth slot left zero).
 */
export function waveformImage(): Uint8Array {
  const w = GOLDEN_WAVEFORM;
  const geometry = waveformGeometry(w.count, w.capacity);
  if (geometry.payloadBytes !== w.payloadBytes)
    throw new Error(`the golden waveform has ${geometry.payloadBytes} bytes`);
  const buffer = new ArrayBuffer(HEADER_SIZE + geometry.payloadBytes);
  writeHeader(buffer, 0, {
    payloadSize: geometry.payloadBytes,
    creatorPid: GOLDEN.driverPid,
    kind: SegmentKind.waveform,
    runId: GOLDEN.runId,
    createdUnixMs: GOLDEN.createdUnixMs,
    name: w.name,
  });
  writeWaveformMetadata(buffer, HEADER_SIZE, { role: w.role, count: w.count, capacity: w.capacity, degree: w.degree });
  new Float64Array(buffer, HEADER_SIZE + WaveformOffset.windowStart, 1)[0] = w.windowStart;
  new Float64Array(buffer, HEADER_SIZE + geometry.timesOffset, w.times.length).set(w.times);
  w.samples.forEach((sample, i) => {
    new Float64Array(buffer, HEADER_SIZE + geometry.valuesOffset + i * geometry.stride, w.count).set(sample);
  });
  Atomics.store(new Int32Array(buffer, HEADER_SIZE, 8), SAMPLE_COUNT_WORD, w.times.length);
  return new Uint8Array(buffer);
}

export function goldenImages(run: Run): Map<GoldenFile, Uint8Array> {
  return new Map<GoldenFile, Uint8Array>([
    ["header.bin", headerImage()],
    ["registry.bin", registryImage()],
    ["ring.bin", ringImage()],
    ["channel.bin", channelImage(run)],
    ["mesh-soa.bin", meshSoaImage()],
    ["mesh-interleaved.bin", meshInterleavedImage()],
    ["waveform.bin", waveformImage()],
  ]);
}
