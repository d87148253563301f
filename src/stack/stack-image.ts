// A stored stack as an OCI image: a base layer (debootstrap's tree, which
// stacks of one release and package set share, so a bundle stores it once)
// and a layer of the spec's files, an image config and an image manifest, all
// written as blobs named by their SHA-256. The image digest, the manifest's
// SHA-256, is what names the stack by content in a bundle, an export and a run
// record. The same image can be only digested (no blob written): a build does
// that, so a stack has its digest from the start.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { streamTar, type TarEntry, writeTar } from "./deterministic-tar.ts";
import { fileSha256 } from "./file-sha256.ts";
import type { StackManifest, StoredStack } from "./stack-store.ts";
import { treeEntries } from "./tree-entries.ts";

export const LAYER_MEDIA_TYPE = "application/vnd.oci.image.layer.v1.tar";
export const CONFIG_MEDIA_TYPE = "application/vnd.oci.image.config.v1+json";
export const MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json";

export interface Blob {
  digest: string;
  bytes: number;
}

export interface StackImage {
  name: string;
  /** `sha256:` and the SHA-256 of its image manifest. */
  imageDigest: string;
  /** Layer digests, base first. */
  layers: string[];
  /** The stack's manifest without its image digest (where a stack came from is no part of what it is). */
  stack: StackManifest;
  manifestBlob: Blob;
}

/** A stack whose tree is gone from the store: it has no image until it is built again. */
export class StackImageError extends Error {
  override name = "StackImageError";
}

/** Where an image's blobs go: files in a directory, or only their digests. */
interface BlobSink {
  layer(index: number, entries: TarEntry[]): Promise<Blob>;
  json(value: unknown): Promise<Blob>;
}

function directorySink(blobs: string): BlobSink {
  /** Writes a blob file into `blobs` under its digest and returns it; a blob already there is kept. */
  const store = async (staged: string): Promise<Blob> => {
    const hex = await fileSha256(staged);
    const target = join(blobs, hex);
    renameSync(staged, target);
    return { digest: `sha256:${hex}`, bytes: statSync(target).size };
  };
  return {
    async layer(index, entries) {
      const staged = join(blobs, `.staged-layer-${process.pid}-${index}`);
      await writeTar(staged, entries);
      return store(staged);
    },
    async json(value) {
      const staged = join(blobs, `.staged-json-${process.pid}`);
      writeFileSync(staged, JSON.stringify(value));
      return store(staged);
    },
  };
}

const digestSink: BlobSink = {
  async layer(_index, entries) {
    const hash = createHash("sha256");
    let bytes = 0;
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        bytes += chunk.length;
        done();
      },
    });
    await streamTar(sink, entries);
    return { digest: `sha256:${hash.digest("hex")}`, bytes };
  },
  async json(value) {
    const text = Buffer.from(JSON.stringify(value));
    return { digest: `sha256:${createHash("sha256").update(text).digest("hex")}`, bytes: text.length };
  },
};

/** The image of `stack`, its blobs written into `blobs` (a directory of sha256 blobs). */
export async function stackImage(stack: StoredStack, blobs: string): Promise<StackImage> {
  mkdirSync(blobs, { recursive: true });
  return imageOf(stack, directorySink(blobs));
}

/** The digest `stackImage` would give `stack`, with nothing written (one pass over its tree). */
export async function stackImageDigest(stack: StoredStack): Promise<string> {
  return (await imageOf(stack, digestSink)).imageDigest;
}

async function imageOf(stack: StoredStack, sink: BlobSink): Promise<StackImage> {
  const rootfs = join(stack.directory, "rootfs");
  if (!existsSync(rootfs)) {
    throw new StackImageError(
      `stack ${stack.manifest.name}: ${rootfs} is missing; build it again with \`conflux stack build ${stack.manifest.spec}\``,
    );
  }
  const layers: Blob[] = [];
  if (stack.manifest.base !== "") {
    // The Debian base (the tree without the spec's files) and the files: both from the stack's own tree, so the
    // image is the same wherever the stack is, built here or installed from a bundle, its base stored or not.
    const files = stack.manifest.files.map((file) => file.to);
    layers.push(await sink.layer(0, treeEntries(rootfs, undefined, files)));
    layers.push(await sink.layer(1, files.length === 0 ? [] : treeEntries(rootfs, files)));
  } else {
    // An imported stack: its tree is one layer.
    layers.push(await sink.layer(0, treeEntries(rootfs)));
  }
  const config = await sink.json({
    architecture: ociArchitecture(stack.manifest.architecture),
    os: "linux",
    config: {
      Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
      Labels: { "org.conflux.stack.name": stack.manifest.name, "org.conflux.stack.hash": stack.manifest.hash },
    },
    rootfs: { type: "layers", diff_ids: layers.map((layer) => layer.digest) },
  });
  const manifestBlob = await sink.json({
    schemaVersion: 2,
    mediaType: MANIFEST_MEDIA_TYPE,
    config: { mediaType: CONFIG_MEDIA_TYPE, digest: config.digest, size: config.bytes },
    layers: layers.map((layer) => ({ mediaType: LAYER_MEDIA_TYPE, digest: layer.digest, size: layer.bytes })),
  });
  return {
    name: stack.manifest.name,
    imageDigest: manifestBlob.digest,
    layers: layers.map((layer) => layer.digest),
    stack: withoutImageDigest(stack.manifest),
    manifestBlob,
  };
}

function withoutImageDigest(manifest: StackManifest): StackManifest {
  const { imageDigest: _, ...rest } = manifest;
  return rest;
}

/** Debian's architecture names as OCI's (Go's). */
function ociArchitecture(debian: string): string {
  const names: Record<string, string> = {
    amd64: "amd64",
    arm64: "arm64",
    armhf: "arm",
    i386: "386",
    ppc64el: "ppc64le",
  };
  return names[debian] ?? debian;
}
