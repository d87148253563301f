// A link-counters payload's layout (docs/wire-format.md, "Link counters",
// version 1): what the relay of a component on another node has moved, kept in
// a segment named "<component>._link" that the relay creates and updates at
// every turn, and the driver reads once the relay has ended, for the run
// record (docs/cluster.md). Doubles, so that counts beyond 2^32 stay exact to
// 2^53. This module is the only code that encodes it.

export const LINK_COUNTERS_MAGIC = 0x4b4e494c; // "LINK"
export const LINK_COUNTERS_LAYOUT_VERSION = 1;
export const LINK_COUNTERS_BYTES = 32;

/** Payload bytes (frame headers not counted) a relay moved, and the turns it passed. */
export interface LinkCounters {
  /** Segment bytes sent to the component's node. */
  bytesToNode: number;
  /** Segment bytes received from the component's node. */
  bytesFromNode: number;
  /** Records passed either way. */
  records: number;
}

const Offset = { magic: 0, version: 4, bytesToNode: 8, bytesFromNode: 16, records: 24 } as const;

export function linkCountersSegmentName(component: string): string {
  return `${component}._link`;
}

/** Writes the counters into `payload` (LINK_COUNTERS_BYTES at least); the magic once, last. */
export function writeLinkCounters(payload: DataView, counters: LinkCounters): void {
  payload.setFloat64(Offset.bytesToNode, counters.bytesToNode, true);
  payload.setFloat64(Offset.bytesFromNode, counters.bytesFromNode, true);
  payload.setFloat64(Offset.records, counters.records, true);
  if (payload.getUint32(Offset.magic, true) !== LINK_COUNTERS_MAGIC) {
    payload.setUint32(Offset.version, LINK_COUNTERS_LAYOUT_VERSION, true);
    payload.setUint32(Offset.magic, LINK_COUNTERS_MAGIC, true);
  }
}

/** The counters, or why they cannot be trusted: every one a whole number, not negative. */
export function readLinkCounters(payload: DataView): LinkCounters | string {
  if (payload.byteLength < LINK_COUNTERS_BYTES) return `${payload.byteLength} bytes, not ${LINK_COUNTERS_BYTES}`;
  if (payload.getUint32(Offset.magic, true) !== LINK_COUNTERS_MAGIC) return "no magic";
  const version = payload.getUint32(Offset.version, true);
  if (version !== LINK_COUNTERS_LAYOUT_VERSION) return `layout version ${version}, not 1`;
  const counters: LinkCounters = {
    bytesToNode: payload.getFloat64(Offset.bytesToNode, true),
    bytesFromNode: payload.getFloat64(Offset.bytesFromNode, true),
    records: payload.getFloat64(Offset.records, true),
  };
  for (const [name, value] of Object.entries(counters)) {
    if (!Number.isSafeInteger(value) || value < 0) return `${name} is ${value}`;
  }
  return counters;
}
