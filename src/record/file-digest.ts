// SHA-256 of a file on disk, computed once per version of the file in this
// process: the driver and every module component map the same ~100 MB node
// binary, and its digest should cost one read, not three. A version is the
// file's device, inode, size and change times, so a file rewritten in place is
// read again.
import { createHash } from "node:crypto";
import { closeSync, fstatSync, openSync, readSync } from "node:fs";

/** A file named in a run record: its digest, or why it has none. */
export interface HashedFile {
  path: string;
  sha256?: string;
  bytes?: number;
  /** Why the file could not be read (gone, unreadable, not a regular file). */
  error?: string;
}

const CHUNK_BYTES = 1 << 20;
const digests = new Map<string, { sha256: string; bytes: number }>();

/**
 * Hashes `path`. `readFrom` is where to read it when that differs from the path
 * to record: a file of a process in another mount namespace is read through
 * /proc/<pid>/root.
 */
export function hashFile(path: string, readFrom = path): HashedFile {
  let fd: number;
  try {
    fd = openSync(readFrom, "r");
  } catch (error) {
    return { path, error: reasonOf(error) };
  }
  try {
    const stat = fstatSync(fd, { bigint: true });
    if (!stat.isFile()) return { path, error: "not a regular file" };
    const version = `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
    let digest = digests.get(version);
    if (digest === undefined) {
      const hash = createHash("sha256");
      const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      let bytes = 0;
      for (
        let read = readSync(fd, chunk, 0, CHUNK_BYTES, null);
        read > 0;
        read = readSync(fd, chunk, 0, CHUNK_BYTES, null)
      ) {
        hash.update(chunk.subarray(0, read));
        bytes += read;
      }
      digest = { sha256: hash.digest("hex"), bytes };
      digests.set(version, digest);
    }
    return { path, ...digest };
  } catch (error) {
    return { path, error: reasonOf(error) };
  } finally {
    closeSync(fd);
  }
}

function reasonOf(error: unknown): string {
  const code = error instanceof Error && "code" in error ? String(error.code) : undefined;
  if (code === "ENOENT") return "no such file";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  return error instanceof Error ? error.message : String(error);
}
