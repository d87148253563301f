// The head that the driver's payloads for another node's agent share (read
// ranges, remote operators): u32 magic, stored last so that a reader that sees
// it sees the rest; u32 layout version; u32 entry count; u32 total bytes,
// checked against what was read. Everything after is the layout's own.

export interface PayloadLayout {
  magic: number;
  version: number;
  /** Bytes of the layout's whole head, this shared part included. */
  headBytes: number;
}

/** Writes the version, count and total bytes of the head; the magic goes last, with publishPayload. */
export function writePayloadHead(view: DataView, layout: PayloadLayout, count: number): void {
  view.setUint32(4, layout.version, true);
  view.setUint32(8, count, true);
  view.setUint32(12, view.byteLength, true);
}

/** Stores the magic: a reader that sees it sees everything written before. */
export function publishPayload(target: Uint8Array, layout: PayloadLayout): void {
  Atomics.store(new Int32Array(target.buffer, target.byteOffset, 1), 0, layout.magic | 0);
}

/** Whether the writer has finished: the magic is there (it is stored last). */
export function payloadPublished(bytes: Uint8Array, layout: PayloadLayout): boolean {
  if (bytes.byteLength < layout.headBytes || bytes.byteOffset % 4 !== 0) return false;
  return Atomics.load(new Int32Array(bytes.buffer, bytes.byteOffset, 1), 0) >>> 0 === layout.magic;
}

/** The head checked against the bytes (magic, version, total), with its entry count; `fail` throws the reason. */
export function checkedPayloadHead(
  bytes: Uint8Array,
  layout: PayloadLayout,
  fail: (reason: string) => never,
): { view: DataView; count: number } {
  if (bytes.byteLength < layout.headBytes) fail(`of ${bytes.byteLength} bytes, fewer than their head`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== layout.magic) fail("without their magic");
  const version = view.getUint32(4, true);
  if (version !== layout.version) fail(`of layout version ${version}; this build reads version ${layout.version}`);
  if (view.getUint32(12, true) !== bytes.byteLength)
    fail(`that say ${view.getUint32(12, true)} bytes in ${bytes.byteLength}`);
  return { view, count: view.getUint32(8, true) };
}
