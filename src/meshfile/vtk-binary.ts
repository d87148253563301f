// The bytes of a VTK XML data array (VTK's file-formats documentation,
// "Binary data" and "Compressed data"): a header of byte counts in UInt32 or
// UInt64, then the data, whole or in zlib-compressed blocks. Inline arrays
// and appended arrays of encoding "base64" are base64 text; appended arrays of
// encoding "raw" are the bytes themselves. Errors are plain messages: the
// caller knows which file and which array.
import { deflateSync, inflateSync } from "node:zlib";

export type HeaderType = "UInt32" | "UInt64";

/** The 32 KiB blocks VTK itself compresses in. */
const BLOCK_BYTES = 32768;

function headerBytes(type: HeaderType): number {
  return type === "UInt64" ? 8 : 4;
}

function readWord(bytes: Uint8Array, index: number, type: HeaderType, what: string): number {
  const size = headerBytes(type);
  const at = index * size;
  if (at + size > bytes.byteLength) throw new Error(`${what} ends inside its header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, size);
  const value = type === "UInt64" ? Number(view.getBigUint64(0, true)) : view.getUint32(0, true);
  if (!Number.isSafeInteger(value)) throw new Error(`${what} has a header count beyond 2^53`);
  return value;
}

function base64Bytes(text: string): Uint8Array {
  return Buffer.from(text, "base64");
}

/** Decoded base64, checked: only base64 characters (whitespace aside). */
function decodeBase64(text: string, what: string): Uint8Array {
  const compact = text.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/=]*$/.test(compact)) {
    throw new Error(`${what} holds characters that are not base64`);
  }
  return base64Bytes(compact);
}

function inflateBlocks(header: number[], blocks: Uint8Array, what: string): Uint8Array {
  const [count, blockSize, lastSize] = header as [number, number, number];
  const total = count === 0 ? 0 : (count - 1) * blockSize + (lastSize === 0 ? blockSize : lastSize);
  const out = new Uint8Array(total);
  let read = 0;
  let written = 0;
  for (let block = 0; block < count; block++) {
    const size = header[3 + block] as number;
    if (read + size > blocks.byteLength)
      throw new Error(`${what} ends inside compressed block ${block + 1} of ${count}`);
    let inflated: Uint8Array;
    try {
      inflated = inflateSync(blocks.subarray(read, read + size));
    } catch (error) {
      throw new Error(
        `${what}: compressed block ${block + 1} of ${count} is not zlib data (${(error as Error).message})`,
      );
    }
    const expected = block === count - 1 ? total - written : blockSize;
    if (inflated.byteLength !== expected) {
      throw new Error(
        `${what}: compressed block ${block + 1} inflates to ${inflated.byteLength} bytes, the header says ${expected}`,
      );
    }
    out.set(inflated, written);
    written += expected;
    read += size;
  }
  return out;
}

function compressedHeader(bytes: Uint8Array, type: HeaderType, what: string): number[] {
  const count = readWord(bytes, 0, type, what);
  const header = [count, readWord(bytes, 1, type, what), readWord(bytes, 2, type, what)];
  for (let block = 0; block < count; block++) header.push(readWord(bytes, 3 + block, type, what));
  return header;
}

/** The data of a base64 array: inline, or at an offset of an appended section of encoding base64. */
export function decodeBase64Array(text: string, type: HeaderType, compressed: boolean, what: string): Uint8Array {
  const compact = text.replace(/\s+/g, "");
  const size = headerBytes(type);
  if (!compressed) {
    // VTK encodes header and data as one base64 stream; some writers encode the header on its own.
    const headerChars = 4 * Math.ceil(size / 3);
    const head = compact.slice(0, headerChars);
    if (head.includes("=")) {
      const length = readWord(decodeBase64(head, what), 0, type, what);
      const data = decodeBase64(compact.slice(headerChars), what);
      if (data.byteLength < length)
        throw new Error(`${what} holds ${data.byteLength} bytes, its header says ${length}`);
      return data.subarray(0, length);
    }
    const all = decodeBase64(compact, what);
    const length = readWord(all, 0, type, what);
    if (all.byteLength - size < length)
      throw new Error(`${what} holds ${all.byteLength - size} bytes, its header says ${length}`);
    return all.subarray(size, size + length);
  }
  // A compressed array's header (block count, sizes) is encoded on its own, then the blocks as one stream.
  const first = decodeBase64(compact.slice(0, 4 * Math.ceil((3 * size) / 3)), what);
  const count = readWord(first, 0, type, what);
  const headerChars = 4 * Math.ceil(((3 + count) * size) / 3);
  if (compact.length < headerChars) throw new Error(`${what} ends inside its header`);
  const header = compressedHeader(decodeBase64(compact.slice(0, headerChars), what), type, what);
  return inflateBlocks(header, decodeBase64(compact.slice(headerChars), what), what);
}

/** The data of an array at `offset` of a raw appended section; also how many bytes it takes there. */
export function decodeRawArray(
  appended: Uint8Array,
  offset: number,
  type: HeaderType,
  compressed: boolean,
  what: string,
): Uint8Array {
  if (offset > appended.byteLength) {
    throw new Error(`${what} starts at offset ${offset}, beyond the ${appended.byteLength} bytes of the appended data`);
  }
  const bytes = appended.subarray(offset);
  const size = headerBytes(type);
  if (!compressed) {
    const length = readWord(bytes, 0, type, what);
    if (size + length > bytes.byteLength)
      throw new Error(`${what} needs ${length} bytes, the appended data ends first`);
    return bytes.subarray(size, size + length);
  }
  const header = compressedHeader(bytes, type, what);
  return inflateBlocks(header, bytes.subarray((3 + (header[0] as number)) * size), what);
}

/** The base64 text of `data` compressed with zlib in 32 KiB blocks under a UInt64 header, as VTK writes it. */
export function encodeCompressedBase64(data: Uint8Array): string {
  const count = Math.ceil(data.byteLength / BLOCK_BYTES);
  const blocks: Uint8Array[] = [];
  for (let block = 0; block < count; block++) {
    blocks.push(deflateSync(data.subarray(block * BLOCK_BYTES, (block + 1) * BLOCK_BYTES)));
  }
  // Little-endian whatever the host: the file says byte_order="LittleEndian".
  const header = new DataView(new ArrayBuffer(8 * (3 + count)));
  header.setBigUint64(0, BigInt(count), true);
  header.setBigUint64(8, BigInt(BLOCK_BYTES), true);
  header.setBigUint64(16, BigInt(count === 0 ? 0 : data.byteLength - (count - 1) * BLOCK_BYTES), true);
  for (let block = 0; block < count; block++) {
    header.setBigUint64(8 * (3 + block), BigInt((blocks[block] as Uint8Array).byteLength), true);
  }
  const headerText = Buffer.from(header.buffer).toString("base64");
  return headerText + Buffer.concat(blocks).toString("base64");
}
