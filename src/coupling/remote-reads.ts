// What the driver reads of a component on another node. Its values reach the
// driver's node through the component's relay (docs/cluster.md), and most
// operators read only some source points: a nearest-neighbour or RBF-PU
// target near an interface reads the source points near it, not the whole
// mesh. Once the operators are set up, the driver writes, per such component,
// the byte ranges of each of its segments that an operator reads (and the
// heads the checks read), in one "<component>._reads" segment; the relay
// passes it to the component's agent, which from then on sends only those
// ranges of what changed. Segments no transfer reads are not named, and cross
// as before. A run that exports every value each window reads every value, so
// it declares nothing.
import { sourcePointsRead, type TransferOperator } from "../mapping/index.ts";
import type { Run } from "../shm/run.ts";
import type { Segment } from "../shm/segment.ts";
import type { SharedMesh } from "../shm/shared-mesh.ts";
import type { SharedWaveform } from "../shm/waveform.ts";
import { type ByteRanges, encodeReadRanges, readRangesBytes, readRangesSegmentName } from "../wire/read-ranges.ts";
import { waveformSegmentName } from "../wire/waveform.ts";
import { ComponentLink } from "./component-link.ts";
import type { Participant } from "./participant.ts";
import type { CouplingPlan } from "./plan.ts";
import type { BoundTransfer } from "./schemes/iteration-loop.ts";

const VALUE_BYTES = 8;

/** Values of one segment that an operator reads. */
export interface ReadSource {
  component: string;
  segment: Segment;
  /** Payload bytes from the start that the driver's checks read whole (metadata, times, coordinates). */
  headBytes: number;
  /** Views of one source point per value (a field, or each sample of a waveform), over `segment`. */
  views: readonly Float64Array[];
  operator: TransferOperator;
}

/** Writes the read ranges of every component of one rank on another node, from `sources`; returns how many it wrote. */
export function declareRemoteReads(
  run: Run,
  participants: ReadonlyMap<string, Participant>,
  sources: readonly ReadSource[],
): number {
  const remote = remoteComponents(participants);
  const byComponent = new Map<string, Map<string, [number, number][]>>();
  for (const source of sources) {
    if (!remote.has(source.component)) continue;
    let segments = byComponent.get(source.component);
    if (segments === undefined) {
      segments = new Map();
      byComponent.set(source.component, segments);
    }
    const name = source.segment.name;
    let ranges = segments.get(name);
    if (ranges === undefined) {
      ranges = [];
      segments.set(name, ranges);
    }
    addSourceRanges(source, ranges);
  }
  for (const [component, segments] of byComponent) {
    const entries = new Map<string, ByteRanges>();
    for (const [name, ranges] of segments) entries.set(name, coalesced(ranges));
    const segment = run.createSegment(readRangesSegmentName(component), readRangesBytes(entries));
    encodeReadRanges(entries, segment.bytes(0, segment.payloadSize));
    segment.close();
  }
  return byComponent.size;
}

/** Components of one rank on another node: they reach the driver through a relay. */
function remoteComponents(participants: ReadonlyMap<string, Participant>): Set<string> {
  const remote = new Set<string>();
  for (const participant of participants.values()) {
    if (participant.plan.node !== undefined && participant.link instanceof ComponentLink)
      remote.add(participant.plan.name);
  }
  return remote;
}

/** What the transfers read: in a run in time their source waveforms, else their source fields. */
export function readSources(
  plan: CouplingPlan,
  transfers: readonly BoundTransfer[],
  meshes: ReadonlyMap<string, SharedMesh>,
  waveforms: readonly SharedWaveform[],
): ReadSource[] {
  if (plan.time !== undefined) {
    return plan.transfers.flatMap((transfer, index) => {
      const name = waveformSegmentName(transfer.from.component, transfer.from.mesh, transfer.from.field);
      const waveform = waveforms.find((candidate) => candidate.name === name);
      const operator = transfers[index]?.operator;
      if (waveform === undefined || operator === undefined) return [];
      const first = waveform.samples[0] as Float64Array;
      return [
        {
          component: transfer.from.component,
          segment: waveform.segment,
          headBytes: first.byteOffset - waveform.segment.payloadOffset,
          views: waveform.samples,
          operator,
        },
      ];
    });
  }
  return transfers.flatMap((transfer) => {
    const mesh = meshes.get(`${transfer.from.component}.${transfer.from.mesh}`);
    if (mesh === undefined) return [];
    return [
      {
        component: transfer.from.component,
        segment: mesh.segment,
        headBytes: meshHeadBytes(mesh),
        views: [transfer.source],
        operator: transfer.operator,
      },
    ];
  });
}

/** What the driver's checks read of a mesh's segment whole: its metadata and coordinates. */
export function meshHeadBytes(mesh: SharedMesh): number {
  const coordinates = mesh.coordinates;
  return coordinates.byteOffset + coordinates.byteLength - mesh.segment.payloadOffset;
}

function addSourceRanges(source: ReadSource, ranges: [number, number][]): void {
  ranges.push([0, source.headBytes]);
  const read = sourcePointsRead(source.operator);
  const base = source.segment.payloadOffset;
  for (const view of source.views) {
    const start = view.byteOffset - base;
    if (read === undefined) ranges.push([start, view.byteLength]);
    else
      for (let index = 0; index < read.length; index++)
        ranges.push([start + (read[index] as number) * VALUE_BYTES, VALUE_BYTES]);
  }
}

/** Ascending, with ranges that overlap or touch joined. */
function coalesced(ranges: [number, number][]): ByteRanges {
  ranges.sort((a, b) => a[0] - b[0]);
  const joined: [number, number][] = [];
  for (const [offset, length] of ranges) {
    if (length === 0) continue;
    const last = joined.at(-1);
    if (last !== undefined && offset <= last[0] + last[1]) last[1] = Math.max(last[1], offset + length - last[0]);
    else joined.push([offset, length]);
  }
  return joined;
}
