// Reads a bundle entry by entry, refusing what no `conflux pack` writes: a
// file that is no tar archive, one that ends early, a first entry that is not
// the manifest, a manifest of another format or version, entries that would
// land outside the directory (../x, absolute paths) and links of any kind.
// Every refusal names the bundle, the entry, and what to do.
import { closeSync, createReadStream, openSync, readSync, statSync } from "node:fs";
import tar from "tar-stream";
import {
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  BundleError,
  type BundleFile,
  type BundleManifest,
  MANIFEST_ENTRY,
} from "./bundle-format.ts";
import { unsafeEntryPath } from "./entry-path.ts";

const REPACK = "pack it again with `conflux pack`, or copy it again from where it was packed";

/** Calls `onEntry` for every entry after the manifest, in archive order, and returns the manifest. */
export async function readBundle(
  file: string,
  onEntry: (
    entry: BundleFile | undefined,
    path: string,
    content: AsyncIterable<unknown>,
    mode: number,
  ) => Promise<void>,
): Promise<BundleManifest> {
  try {
    if (!statSync(file).isFile())
      throw new BundleError(`${file} is no file: give a bundle that \`conflux pack\` wrote`);
  } catch (error) {
    if (error instanceof BundleError) throw error;
    throw new BundleError(`${file} cannot be read (${(error as Error).message}): give the path of a bundle`);
  }
  const extract = tar.extract();
  const source = createReadStream(file);
  source.on("error", (error) => extract.destroy(error));
  source.pipe(extract);
  let manifest: BundleManifest | undefined;
  let byPath = new Map<string, BundleFile>();
  try {
    for await (const entry of extract) {
      const name = entry.header.name;
      const unsafe = unsafeEntryPath(name);
      if (unsafe !== undefined) {
        throw new BundleError(
          `${file}: entry ${JSON.stringify(name)} is ${unsafe}, which could write outside the directory it is unpacked into; this is no bundle \`conflux pack\` wrote: ${REPACK}`,
        );
      }
      const type = entry.header.type;
      if (type === "symlink" || type === "link") {
        throw new BundleError(
          `${file}: entry ${name} is a ${type === "symlink" ? "symbolic" : "hard"} link (to ${entry.header.linkname ?? "?"}), which could point outside the directory it is unpacked into; bundles hold only files: ${REPACK}`,
        );
      }
      if (type !== "file" && type !== "directory") {
        throw new BundleError(`${file}: entry ${name} is a ${type ?? "?"}; bundles hold only files: ${REPACK}`);
      }
      if (manifest === undefined) {
        if (name !== MANIFEST_ENTRY) {
          throw new BundleError(
            `${file}: its first entry is ${name}, not ${MANIFEST_ENTRY}; this is no bundle \`conflux pack\` wrote: ${REPACK}`,
          );
        }
        manifest = parseManifest(file, await collect(entry));
        byPath = new Map(manifest.files.map((listed) => [listed.path, listed]));
        continue;
      }
      if (type === "directory") {
        entry.resume();
        continue;
      }
      await onEntry(byPath.get(name), name, entry, (entry.header.mode ?? 0o644) & 0o777);
    }
  } catch (error) {
    if (error instanceof BundleError) throw error;
    const message = (error as Error).message;
    if (/unexpected end/i.test(message)) {
      throw new BundleError(`${file} ends early (${statSync(file).size} bytes): it is truncated; ${REPACK}`);
    }
    throw new BundleError(`${file} is not a bundle (${message}): give a file that \`conflux pack\` wrote`);
  } finally {
    source.destroy();
  }
  if (manifest === undefined)
    throw new BundleError(`${file} holds no ${MANIFEST_ENTRY}: it is not a bundle, or it is empty; ${REPACK}`);
  return manifest;
}

async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseManifest(file: string, data: Buffer): BundleManifest {
  let value: Partial<BundleManifest>;
  try {
    value = JSON.parse(data.toString("utf8")) as Partial<BundleManifest>;
  } catch (error) {
    throw new BundleError(`${file}: ${MANIFEST_ENTRY} is no JSON (${(error as Error).message}); ${REPACK}`);
  }
  if (value.format !== BUNDLE_FORMAT) {
    throw new BundleError(
      `${file}: ${MANIFEST_ENTRY} has format ${JSON.stringify(value.format)}, not ${BUNDLE_FORMAT}; this is no Conflux bundle`,
    );
  }
  if (value.version !== BUNDLE_VERSION) {
    throw new BundleError(
      `${file}: ${MANIFEST_ENTRY} is of bundle format version ${JSON.stringify(value.version)}; this conflux reads version ${BUNDLE_VERSION}: use the conflux that packed it (${value.conflux?.version ?? "version unknown"}), or pack it again with this one`,
    );
  }
  if (!Array.isArray(value.files) || typeof value.composition !== "string" || !Array.isArray(value.stacks)) {
    throw new BundleError(`${file}: ${MANIFEST_ENTRY} lacks files, composition or stacks; ${REPACK}`);
  }
  for (const listed of value.files) {
    const unsafe = unsafeEntryPath(listed.path);
    if (unsafe !== undefined)
      throw new BundleError(`${file}: ${MANIFEST_ENTRY} lists ${JSON.stringify(listed.path)}, ${unsafe}; ${REPACK}`);
  }
  return value as BundleManifest;
}

/** Whether `file` is a tar archive (a bundle, or an attempt at one) rather than a composition file. */
export function looksLikeBundle(file: string): boolean {
  if (file.endsWith(".cfx")) return true;
  try {
    const fd = openSync(file, "r");
    try {
      const magic = Buffer.alloc(5);
      readSync(fd, magic, 0, 5, 257);
      return magic.toString("latin1") === "ustar";
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}
