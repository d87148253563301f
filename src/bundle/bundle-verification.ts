// `conflux verify`: every entry of a bundle hashed again against its manifest,
// and every file the manifest lists present. A bundle that fails is refused
// by every command that uses it, naming the first file whose hash differs.
import { createHash } from "node:crypto";
import { BundleError, type BundleManifest } from "./bundle-format.ts";
import { readBundle } from "./bundle-reader.ts";

export interface EntrySink {
  /** Where an entry's bytes go while they are hashed (unpacking); none just hashes. */
  open(path: string, mode: number): NodeJS.WritableStream | undefined;
}

/** Reads and checks the whole bundle; throws a BundleError naming the first entry that differs. */
export async function verifyBundle(file: string, sink?: EntrySink): Promise<BundleManifest> {
  const seen = new Set<string>();
  const manifest = await readBundle(file, async (listed, path, content, mode) => {
    if (listed === undefined) {
      throw new BundleError(
        `${file}: entry ${path} is not in its manifest: the bundle was altered; pack it again with \`conflux pack\``,
      );
    }
    if (seen.has(path))
      throw new BundleError(`${file}: entry ${path} appears twice: the bundle was altered; pack it again`);
    seen.add(path);
    const { sha256, bytes } = await hashStream(content, sink?.open(path, mode));
    if (sha256 !== listed.sha256 || bytes !== listed.bytes) {
      throw new BundleError(
        `${file}: ${path} does not match its hash in the manifest (sha256 ${sha256}, ${bytes} bytes; the manifest says ${listed.sha256}, ${listed.bytes} bytes): the bundle was altered or damaged; refusing it — copy it again from where it was packed`,
      );
    }
  });
  const missing = manifest.files.filter((listed) => !seen.has(listed.path));
  if (missing.length > 0) {
    throw new BundleError(
      `${file}: ${missing.length} file(s) of its manifest are missing, first ${missing[0]?.path}: it is truncated or altered; copy it again from where it was packed`,
    );
  }
  return manifest;
}

async function hashStream(
  content: AsyncIterable<unknown>,
  out: NodeJS.WritableStream | undefined,
): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of content) {
    const data = chunk as Buffer;
    hash.update(data);
    bytes += data.length;
    if (out !== undefined && !out.write(data)) await new Promise((resume) => out.once("drain", resume));
  }
  if (out !== undefined) await new Promise<void>((done) => out.end(done));
  return { sha256: hash.digest("hex"), bytes };
}
