// A file system without room for a segment. Segments reserve their pages when
// they are created (fallocate in the addon), so a full /dev/shm — Docker gives
// a container 64 MB unless told otherwise — is this error at creation, naming
// the segment and the bytes, never a SIGBUS at the first write.
import { statfsSync } from "node:fs";
import { dirname } from "node:path";
import { formatBytes } from "./truncation.ts";

export class NoRoomError extends Error {
  override name = "NoRoomError";
  constructor(
    readonly what: string,
    readonly directory: string,
    readonly neededBytes: number,
    readonly freeBytes: number | undefined,
  ) {
    const free = freeBytes === undefined ? "its free space is unknown" : `${formatBytes(freeBytes)} bytes are free`;
    super(
      `no room for ${what} (${formatBytes(neededBytes)} bytes) in ${directory}: ${free}. Give it more room (a larger /dev/shm: \`mount -o remount,size=… /dev/shm\`; in Docker, \`--shm-size\`, which is 64 MB unless set), or point CONFLUX_SHM_ROOT at a larger tmpfs.`,
    );
  }
}

/** Bytes an unprivileged process can still allocate in the file system holding `path`'s directory. */
export function freeBytesNear(path: string): number | undefined {
  try {
    const status = statfsSync(dirname(path));
    return status.bavail * status.bsize;
  } catch {
    return undefined;
  }
}

export function noRoomFor(what: string, path: string, neededBytes: number): NoRoomError {
  return new NoRoomError(what, dirname(path), neededBytes, freeBytesNear(path));
}
