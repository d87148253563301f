// The initramfs format the Linux kernel unpacks at boot: cpio "newc" (ASCII
// headers, 4-byte alignment, a TRAILER!!! entry). Written here rather than by
// the cpio program so an image is byte-for-byte the same for the same inputs:
// inode numbers count up from 1, times and owners are zero.
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";

export type ArchiveEntry =
  | { path: string; type: "directory"; mode: number }
  /** A file's content is read from `source` on the host while the archive is written. */
  | { path: string; type: "file"; mode: number; source: string }
  | { path: string; type: "symlink"; target: string };

const TYPE_BITS = { directory: 0o040000, file: 0o100000, symlink: 0o120000 } as const;
const encoder = new TextEncoder();
const PADDING = new Uint8Array(4);

function hex8(value: number): string {
  return value.toString(16).padStart(8, "0");
}

/** Writes `entries` (paths without a leading slash) to `path` as a newc archive. */
export function writeCpioArchive(path: string, entries: readonly ArchiveEntry[]): void {
  const fd = openSync(path, "wx", 0o644);
  let written = 0;
  const put = (bytes: Uint8Array) => {
    writeSync(fd, bytes);
    written += bytes.length;
  };
  const align = () => {
    const missing = (4 - (written % 4)) % 4;
    if (missing > 0) put(PADDING.subarray(0, missing));
  };
  const record = (inode: number, mode: number, name: string, data: Uint8Array) => {
    const nameBytes = encoder.encode(`${name}\0`);
    const header = [
      "070701",
      hex8(inode),
      hex8(mode),
      hex8(0), // uid
      hex8(0), // gid
      hex8(mode & 0o040000 ? 2 : 1), // nlink
      hex8(0), // mtime
      hex8(data.length),
      hex8(0), // devmajor
      hex8(0), // devminor
      hex8(0), // rdevmajor
      hex8(0), // rdevminor
      hex8(nameBytes.length),
      hex8(0), // check
    ].join("");
    put(encoder.encode(header));
    put(nameBytes);
    align();
    if (data.length > 0) put(data);
    align();
  };
  try {
    let inode = 1;
    for (const entry of entries) {
      const name = entry.path.replace(/^\/+/, "");
      if (entry.type === "directory")
        record(inode++, TYPE_BITS.directory | (entry.mode & 0o7777), name, PADDING.subarray(0, 0));
      else if (entry.type === "file")
        record(inode++, TYPE_BITS.file | (entry.mode & 0o7777), name, readFileSync(entry.source));
      else record(inode++, TYPE_BITS.symlink | 0o777, name, encoder.encode(entry.target));
    }
    record(0, 0, "TRAILER!!!", PADDING.subarray(0, 0));
  } finally {
    closeSync(fd);
  }
}
