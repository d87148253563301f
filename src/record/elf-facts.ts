// Two facts an ELF file states about itself: the program interpreter it asks
// the kernel for (PT_INTERP, which names the C library's dynamic loader), and
// the compilers that built it (the .comment section, where GCC and Clang leave
// "GCC: (Debian 12.2.0-14) 12.2.0"). Read with a few positioned reads: the
// header, the program and section header tables, and two small sections.
import { closeSync, openSync, readSync } from "node:fs";

export interface ElfFacts {
  interpreter?: string;
  /** Distinct compiler identifications, in file order. */
  compilers: string[];
}

const PT_INTERP = 3;
/** Larger tables or sections than these are not what a real ELF file holds here; stop rather than read them. */
const MAX_TABLE_BYTES = 1 << 20;
const MAX_SECTION_BYTES = 1 << 16;

/** The facts, or undefined when `path` is not an ELF file this reader understands. */
export function elfFacts(path: string): ElfFacts | undefined {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return undefined;
  }
  try {
    return readFacts(fd);
  } catch {
    // truncated or damaged: say nothing rather than something wrong
    return undefined;
  } finally {
    closeSync(fd);
  }
}

function readFacts(fd: number): ElfFacts | undefined {
  const header = readAt(fd, 0, 64);
  if (header.length < 52 || header[0] !== 0x7f || header[1] !== 0x45 || header[2] !== 0x4c || header[3] !== 0x46) {
    return undefined;
  }
  const wide = header[4] === 2;
  const little = header[5] === 1;
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const word = (offset: number) => (wide ? Number(view.getBigUint64(offset, little)) : view.getUint32(offset, little));
  const half = (offset: number) => view.getUint16(offset, little);
  const programOffset = word(wide ? 0x20 : 0x1c);
  const sectionOffset = word(wide ? 0x28 : 0x20);
  const programEntry = half(wide ? 0x36 : 0x2a);
  const programCount = half(wide ? 0x38 : 0x2c);
  const sectionEntry = half(wide ? 0x3a : 0x2e);
  const sectionCount = half(wide ? 0x3c : 0x30);
  const namesIndex = half(wide ? 0x3e : 0x32);

  const facts: ElfFacts = { compilers: [] };
  if (programOffset > 0 && programEntry * programCount <= MAX_TABLE_BYTES) {
    const table = readAt(fd, programOffset, programEntry * programCount);
    const entries = new DataView(table.buffer, table.byteOffset, table.byteLength);
    for (let index = 0; index < programCount; index++) {
      const at = index * programEntry;
      if (at + programEntry > table.length || entries.getUint32(at, little) !== PT_INTERP) continue;
      const offset = wide ? Number(entries.getBigUint64(at + 8, little)) : entries.getUint32(at + 4, little);
      const size = wide ? Number(entries.getBigUint64(at + 0x20, little)) : entries.getUint32(at + 0x10, little);
      if (size > 0 && size < 4096) facts.interpreter = cString(readAt(fd, offset, size));
    }
  }
  if (sectionOffset > 0 && sectionEntry * sectionCount <= MAX_TABLE_BYTES && namesIndex < sectionCount) {
    const table = readAt(fd, sectionOffset, sectionEntry * sectionCount);
    const entries = new DataView(table.buffer, table.byteOffset, table.byteLength);
    const section = (index: number) => {
      const at = index * sectionEntry;
      return {
        name: entries.getUint32(at, little),
        offset: wide ? Number(entries.getBigUint64(at + 0x18, little)) : entries.getUint32(at + 0x10, little),
        size: wide ? Number(entries.getBigUint64(at + 0x20, little)) : entries.getUint32(at + 0x14, little),
      };
    };
    const names = section(namesIndex);
    const nameTable = readAt(fd, names.offset, Math.min(names.size, MAX_TABLE_BYTES));
    for (let index = 0; index < sectionCount; index++) {
      const { name, offset, size } = section(index);
      if (cString(nameTable.subarray(name)) !== ".comment" || size > MAX_SECTION_BYTES) continue;
      for (const text of new TextDecoder().decode(readAt(fd, offset, size)).split("\0")) {
        const compiler = text.trim();
        if (compiler !== "" && !facts.compilers.includes(compiler)) facts.compilers.push(compiler);
      }
    }
  }
  return facts;
}

function readAt(fd: number, position: number, length: number): Uint8Array {
  const buffer = new Uint8Array(length);
  const read = readSync(fd, buffer, 0, length, position);
  return buffer.subarray(0, read);
}

function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
}
