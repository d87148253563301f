// Writes a tar archive whose bytes depend only on its entries: sorted paths,
// one fixed time, owner root, and modes as given, so that packing the same
// inputs twice gives a byte-identical file (the bundle is content-addressed).
import { createReadStream, createWriteStream } from "node:fs";
import type { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import tar from "tar-stream";

/** Every entry carries this time, so that packing the same inputs twice gives the same bytes. */
export const FIXED_MTIME = new Date(0);

export type TarEntry =
  | { kind: "file"; path: string; mode: number; bytes: number; from: string }
  | { kind: "data"; path: string; mode: number; data: Buffer }
  | { kind: "directory"; path: string; mode: number }
  | { kind: "symlink"; path: string; target: string }
  | { kind: "hardlink"; path: string; target: string };

const byPath = (a: TarEntry, b: TarEntry) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** Writes `entries` to `file`; the first `leading` entries keep their place, the rest are sorted by path. */
export async function writeTar(file: string, entries: TarEntry[], leading = 0): Promise<void> {
  await streamTar(createWriteStream(file), entries, leading);
}

/** The same bytes as writeTar, into `sink` (a hash, to know a layer's digest without writing it). */
export async function streamTar(sink: Writable, entries: TarEntry[], leading = 0): Promise<void> {
  const ordered = [...entries.slice(0, leading), ...entries.slice(leading).sort(byPath)];
  const pack = tar.pack();
  const written = pipeline(pack, sink);
  const common = { mtime: FIXED_MTIME, uid: 0, gid: 0, uname: "", gname: "" };
  for (const entry of ordered) {
    switch (entry.kind) {
      case "data":
        await new Promise<void>((done, fail) =>
          pack.entry(
            { ...common, name: entry.path, mode: entry.mode, size: entry.data.length, type: "file" },
            entry.data,
            (error) => (error ? fail(error) : done()),
          ),
        );
        break;
      case "file": {
        const sink = pack.entry({ ...common, name: entry.path, mode: entry.mode, size: entry.bytes, type: "file" });
        await pipeline(createReadStream(entry.from), sink);
        break;
      }
      case "directory":
        pack.entry({ ...common, name: `${entry.path}/`, mode: entry.mode, type: "directory" });
        break;
      case "symlink":
        pack.entry({ ...common, name: entry.path, mode: 0o777, type: "symlink", linkname: entry.target });
        break;
      case "hardlink":
        pack.entry({ ...common, name: entry.path, mode: 0o644, type: "link", linkname: entry.target });
        break;
    }
  }
  pack.finalize();
  await written;
}
