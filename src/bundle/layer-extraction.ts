// Unpacks an OCI layer into a root filesystem. A stack's tree holds absolute
// symbolic links (/bin -> usr/bin), which must mean the tree's own /usr, never
// the host's: every path is resolved inside the root, as a container sees it,
// so no entry, link or later write can reach outside. Layers of images made
// elsewhere (conflux stack import) may be compressed and hold whiteouts.
import {
  chmodSync,
  closeSync,
  createReadStream,
  createWriteStream,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { join, posix } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import tar from "tar-stream";
import { BundleError } from "./bundle-format.ts";
import { unsafeEntryPath } from "./entry-path.ts";

const MAX_LINKS = 40;

/** The host path of `path` inside `root`, following symbolic links as if `root` were `/`. */
export function resolveInside(root: string, path: string, followLast = false): string {
  const parts = path.split("/").filter((part) => part !== "" && part !== ".");
  const resolved: string[] = [];
  let links = 0;
  while (parts.length > 0) {
    const part = parts.shift() as string;
    if (part === "..") {
      resolved.pop();
      continue;
    }
    const host = join(root, ...resolved, part);
    let target: string | undefined;
    if (parts.length > 0 || followLast) {
      try {
        if (lstatSync(host).isSymbolicLink()) target = readlinkSync(host);
      } catch {
        // not there yet: created as a directory or file
      }
    }
    if (target === undefined) {
      resolved.push(part);
      continue;
    }
    if (++links > MAX_LINKS) throw new BundleError(`${path}: too many symbolic links inside the layer`);
    if (target.startsWith("/")) resolved.length = 0;
    parts.unshift(...target.split("/").filter((item) => item !== "" && item !== "."));
  }
  return join(root, ...resolved);
}

/** How a layer's entries are read: as `conflux pack` writes them, or as any OCI or Docker image holds them. */
export interface LayerReading {
  /**
   * An image from elsewhere (conflux stack import): names may begin "./", the layer may be gzip-compressed,
   * and whiteouts (".wh.NAME", ".wh..wh..opq") delete what lower layers put there, as the OCI image spec says.
   */
  foreign?: boolean;
  /** What a refused entry's message tells the user to do. */
  fix?: string;
}

/** gzip's first two bytes: a compressed layer, whatever its media type says. */
function isGzip(layer: string): boolean {
  const head = Buffer.alloc(2);
  const fd = openSync(layer, "r");
  try {
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

const WHITEOUT = ".wh.";
const OPAQUE = ".wh..wh..opq";

export async function extractLayer(
  layer: string,
  root: string,
  what: string,
  reading: LayerReading = {},
): Promise<void> {
  const foreign = reading.foreign === true;
  const fix = reading.fix ?? "this layer was not written by `conflux pack`: pack the bundle again";
  const extract = tar.extract();
  const source = createReadStream(layer);
  if (foreign && isGzip(layer)) source.pipe(createGunzip()).pipe(extract);
  else source.pipe(extract);
  for await (const entry of extract) {
    const { type, mode, linkname } = entry.header;
    const name = foreign ? entry.header.name.replace(/^(\.\/)+/, "") : entry.header.name;
    if (foreign && (name === "" || name === "." || name === "./")) {
      entry.resume();
      continue;
    }
    const unsafe = unsafeEntryPath(name);
    if (unsafe !== undefined) {
      throw new BundleError(`${what}: layer entry ${JSON.stringify(name)} is ${unsafe}; ${fix}`);
    }
    const path = name.replace(/\/$/, "");
    const parent = resolveInside(root, posix.dirname(path), true);
    const base = posix.basename(path);
    if (foreign && base.startsWith(WHITEOUT)) {
      // A lower layer's file (or, opaque, a directory's whole content) removed by this one; the marker itself is no file.
      if (base === OPAQUE) {
        for (const child of readdirOrNone(parent)) rmSync(join(parent, child), { recursive: true, force: true });
      } else {
        rmSync(join(parent, base.slice(WHITEOUT.length)), { recursive: true, force: true });
      }
      entry.resume();
      continue;
    }
    const target = join(parent, base);
    mkdirSync(parent, { recursive: true });
    switch (type) {
      case "directory":
        try {
          if (!lstatSync(target).isDirectory()) rmSync(target, { force: true });
        } catch {
          // not there yet
        }
        mkdirSync(target, { recursive: true });
        chmodSync(target, (mode ?? 0o755) & 0o7777);
        entry.resume();
        break;
      case "file":
        rmSync(target, { force: true });
        await pipeline(entry, createWriteStream(target));
        // After the write: a umask must not change a stack's modes, setuid bits included.
        chmodSync(target, (mode ?? 0o644) & 0o7777);
        break;
      case "symlink":
        rmSync(target, { force: true });
        symlinkSync(linkname ?? "", target);
        entry.resume();
        break;
      case "link": {
        const linked = foreign ? (linkname ?? "").replace(/^(\.\/)+/, "") : (linkname ?? "");
        const unsafeLink = unsafeEntryPath(linked);
        if (unsafeLink !== undefined)
          throw new BundleError(`${what}: hard link ${name} to ${JSON.stringify(linkname)} is ${unsafeLink}; ${fix}`);
        rmSync(target, { force: true });
        linkSync(resolveInside(root, linked), target);
        entry.resume();
        break;
      }
      default:
        entry.resume();
    }
  }
}

function readdirOrNone(directory: string): string[] {
  try {
    return readdirSync(directory);
  } catch {
    return [];
  }
}
