// Unpacks an OCI layer into a root filesystem. A stack's tree holds absolute
// symbolic links (/bin -> usr/bin), which must mean the tree's own /usr, never
// the host's: every path is resolved inside the root, as a container sees it,
// so no entry, link or later write can reach outside.
import {
  chmodSync,
  createReadStream,
  createWriteStream,
  linkSync,
  lstatSync,
  mkdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { join, posix } from "node:path";
import { pipeline } from "node:stream/promises";
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

export async function extractLayer(layer: string, root: string, what: string): Promise<void> {
  const extract = tar.extract();
  const source = createReadStream(layer);
  source.pipe(extract);
  for await (const entry of extract) {
    const { name, type, mode, linkname } = entry.header;
    const unsafe = unsafeEntryPath(name);
    if (unsafe !== undefined) {
      throw new BundleError(
        `${what}: layer entry ${JSON.stringify(name)} is ${unsafe}; this layer was not written by \`conflux pack\`: pack the bundle again`,
      );
    }
    const path = name.replace(/\/$/, "");
    const parent = resolveInside(root, posix.dirname(path), true);
    const target = join(parent, posix.basename(path));
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
        const unsafeLink = unsafeEntryPath(linkname ?? "");
        if (unsafeLink !== undefined)
          throw new BundleError(
            `${what}: hard link ${name} to ${JSON.stringify(linkname)} is ${unsafeLink}; pack the bundle again`,
          );
        rmSync(target, { force: true });
        linkSync(resolveInside(root, linkname ?? ""), target);
        entry.resume();
        break;
      }
      default:
        entry.resume();
    }
  }
}
