// A stored stack as an OCI image: a base layer (debootstrap's tree, which
// stacks of one release and package set share, so a bundle stores it once)
// and a layer of the spec's files, an image config and an image manifest, all
// written as blobs named by their SHA-256. The image digest, the manifest's
// SHA-256, is what names the stack by content in a bundle and a run record.
import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { baseDirectory, type StackManifest, type StoredStack } from "../stack/stack-store.ts";
import { BundleError, type BundleStack } from "./bundle-format.ts";
import { writeTar } from "./deterministic-tar.ts";
import { fileSha256 } from "./file-sha256.ts";
import { treeEntries } from "./tree-entries.ts";

export const LAYER_MEDIA_TYPE = "application/vnd.oci.image.layer.v1.tar";
export const CONFIG_MEDIA_TYPE = "application/vnd.oci.image.config.v1+json";
export const MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json";

export interface Blob {
  digest: string;
  bytes: number;
}

/** Writes a blob file into `blobs` under its digest and returns it; a blob already there is kept. */
async function storeBlob(blobs: string, staged: string): Promise<Blob> {
  const hex = await fileSha256(staged);
  const target = join(blobs, hex);
  renameSync(staged, target);
  return { digest: `sha256:${hex}`, bytes: statSync(target).size };
}

async function jsonBlob(blobs: string, value: unknown): Promise<Blob> {
  const staged = join(blobs, `.staged-json-${process.pid}`);
  writeFileSync(staged, JSON.stringify(value));
  return storeBlob(blobs, staged);
}

/** The image of `stack`, its blobs written into `blobs` (a directory of sha256 blobs). */
export async function stackImage(stack: StoredStack, blobs: string): Promise<BundleStack & { manifestBlob: Blob }> {
  mkdirSync(blobs, { recursive: true });
  const rootfs = join(stack.directory, "rootfs");
  if (!existsSync(rootfs)) {
    throw new BundleError(
      `stack ${stack.manifest.name}: ${rootfs} is missing; build it again with \`conflux stack build ${stack.manifest.spec}\``,
    );
  }
  const base = join(baseDirectory(stack.manifest.base, join(stack.directory, "..")), "rootfs");
  const layers: Blob[] = [];
  const stage = (index: number) => join(blobs, `.staged-layer-${process.pid}-${index}`);
  if (existsSync(base)) {
    await writeTar(stage(0), treeEntries(base));
    layers.push(await storeBlob(blobs, stage(0)));
    const files = stack.manifest.files.map((file) => file.to);
    await writeTar(stage(1), files.length === 0 ? [] : treeEntries(rootfs, files));
    layers.push(await storeBlob(blobs, stage(1)));
  } else {
    // The base was removed from the store: the whole tree is one layer.
    await writeTar(stage(0), treeEntries(rootfs));
    layers.push(await storeBlob(blobs, stage(0)));
  }
  const config = await jsonBlob(blobs, {
    architecture: ociArchitecture(stack.manifest.architecture),
    os: "linux",
    config: {
      Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
      Labels: { "org.conflux.stack.name": stack.manifest.name, "org.conflux.stack.hash": stack.manifest.hash },
    },
    rootfs: { type: "layers", diff_ids: layers.map((layer) => layer.digest) },
  });
  const manifestBlob = await jsonBlob(blobs, {
    schemaVersion: 2,
    mediaType: MANIFEST_MEDIA_TYPE,
    config: { mediaType: CONFIG_MEDIA_TYPE, digest: config.digest, size: config.bytes },
    layers: layers.map((layer) => ({ mediaType: LAYER_MEDIA_TYPE, digest: layer.digest, size: layer.bytes })),
  });
  return {
    name: stack.manifest.name,
    imageDigest: manifestBlob.digest,
    layers: layers.map((layer) => layer.digest),
    // Where an installed stack came from is no part of what it is.
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
