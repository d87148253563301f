// The first words every metadata-carrying payload starts with: a magic the
// writer stores last (so a reader that sees it sees the rest) and a layout
// version. Mesh, snapshot and waveform payloads check them the same way, in
// the same order, each naming itself in what it says.

/** How one layout's payload opens, and how a refusal of it reads. */
export interface PayloadPreamble {
  /** The layout's name in messages: "mesh", "snapshot", "waveform". */
  what: string;
  /** Bytes the metadata needs before anything else can be read. */
  metadataBytes: number;
  magic: number;
  /** Said after the magic found, inside the parentheses (may be empty). */
  magicDetail: string;
  /** Why the magic is missing, as the reader sees it. */
  missingReason: string;
  version: number;
  versionOffset: number;
  error: new (message: string) => Error;
}

/** Throws the layout's error unless the payload is large enough, carries the magic, and has the version this code reads. */
export function checkPayloadPreamble(
  buffer: ArrayBuffer,
  payloadOffset: number,
  payloadBytes: number,
  where: string,
  preamble: PayloadPreamble,
): void {
  const { what, metadataBytes, error } = preamble;
  if (payloadBytes < metadataBytes) {
    throw new error(`${where}: ${payloadBytes} bytes cannot hold ${what} metadata (${metadataBytes} bytes)`);
  }
  const magic = Atomics.load(new Int32Array(buffer, payloadOffset, 1), 0) >>> 0;
  if (magic !== preamble.magic) {
    throw new error(
      `${where}: no ${what} metadata (magic 0x${magic.toString(16)}${preamble.magicDetail}); ${preamble.missingReason}`,
    );
  }
  const version = new DataView(buffer, payloadOffset, metadataBytes).getUint32(preamble.versionOffset, true);
  if (version !== preamble.version) {
    throw new error(`${where}: ${what} layout version ${version}, this conflux reads ${preamble.version}`);
  }
}
