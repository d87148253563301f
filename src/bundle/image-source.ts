// An image a user already has, as Podman, Buildah and Skopeo write them: an
// OCI image layout (a directory with oci-layout, index.json and blobs/), the
// same as a tar (oci-archive), or a docker-archive tar (manifest.json, the
// config and one tar per layer). Opened into what a stack is made of: the
// image's config, its layers in order, and the digests that name it. Every
// blob is checked against its digest before it is used (a layer of a docker
// archive against its config's diff_id), so a tampered image is refused, by
// the blob's name.
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import tar from "tar-stream";
import { fileSha256 } from "../stack/file-sha256.ts";
import { MANIFEST_MEDIA_TYPE } from "../stack/stack-image.ts";
import { BundleError } from "./bundle-format.ts";
import { unsafeEntryPath } from "./entry-path.ts";

const INDEX_MEDIA_TYPES = new Set([
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
]);
const MANIFEST_MEDIA_TYPES = new Set([MANIFEST_MEDIA_TYPE, "application/vnd.docker.distribution.manifest.v2+json"]);
/** The OCI annotation Podman, Buildah and Skopeo give a tagged image in a layout's index. */
export const REF_ANNOTATION = "org.opencontainers.image.ref.name";

export interface ImageConfig {
  architecture?: string;
  os?: string;
  config?: { Env?: string[]; Cmd?: string[]; Entrypoint?: string[]; WorkingDir?: string };
  rootfs?: { type?: string; diff_ids?: string[] };
}

export interface OpenedImage {
  /** "OCI image layout", "oci-archive" or "docker-archive", for messages. */
  format: string;
  config: ImageConfig;
  /** sha256 of the config: the image's ID, the same in every format the image is written in. */
  configDigest: string;
  /** The OCI manifest's digest; absent for a docker archive, which holds none. */
  manifestDigest?: string;
  /** The tag it was opened by, or its only one. */
  reference?: string;
  /** The layer blobs, lowest first. */
  layers: string[];
  /** Removes what opening it unpacked (an archive's contents). */
  close(): void;
}

interface Descriptor {
  mediaType?: string;
  digest?: string;
  size?: number;
  annotations?: Record<string, string>;
  platform?: { architecture?: string; os?: string };
}

/** Opens the image at `path` (a layout directory or an archive); `reference` picks one of several tags. */
export async function openImage(path: string, reference?: string): Promise<OpenedImage> {
  if (!existsSync(path)) throw new BundleError(`${path}: no such image; give an OCI image layout or an archive`);
  if (statSync(path).isDirectory()) return openLayout(path, path, "OCI image layout", reference, () => {});
  const unpacked = mkdtempSync(join(tmpdir(), "conflux-image-"));
  const close = () => rmSync(unpacked, { recursive: true, force: true });
  try {
    await unpackArchive(path, unpacked);
    if (existsSync(join(unpacked, "oci-layout"))) {
      return await openLayout(unpacked, path, "oci-archive", reference, close);
    }
    if (existsSync(join(unpacked, "manifest.json"))) return await openDockerArchive(unpacked, path, reference, close);
    throw new BundleError(
      `${path}: neither an OCI image (no oci-layout) nor a docker archive (no manifest.json); write it with \`skopeo copy … oci-archive:FILE\` or \`podman save\``,
    );
  } catch (error) {
    close();
    throw error;
  }
}

async function openLayout(
  directory: string,
  source: string,
  format: string,
  reference: string | undefined,
  close: () => void,
): Promise<OpenedImage> {
  const index = readJson<{ manifests?: Descriptor[] }>(join(directory, "index.json"), `${source}: index.json`);
  const candidates = index.manifests ?? [];
  const tagged = (descriptor: Descriptor) => descriptor.annotations?.[REF_ANNOTATION];
  let chosen: Descriptor | undefined;
  if (reference !== undefined) {
    chosen = candidates.find((descriptor) => tagged(descriptor) === reference);
    if (chosen === undefined) {
      throw new BundleError(
        `${source}: no image tagged ${JSON.stringify(reference)}; it holds ${describeTags(candidates.map(tagged))}`,
      );
    }
  } else if (candidates.length === 1) {
    chosen = candidates[0];
  } else {
    throw new BundleError(
      `${source}: holds ${candidates.length} images (${describeTags(candidates.map(tagged))}); name one with --ref TAG`,
    );
  }
  const manifestDescriptor = await platformManifest(directory, source, chosen as Descriptor);
  const manifest = JSON.parse(
    readFileSync(await checkedBlob(directory, source, manifestDescriptor, "manifest"), "utf8"),
  ) as { config?: Descriptor; layers?: Descriptor[] };
  if (manifest.config === undefined || manifest.layers === undefined) {
    throw new BundleError(`${source}: manifest ${manifestDescriptor.digest} has no config or no layers`);
  }
  const configPath = await checkedBlob(directory, source, manifest.config, "config");
  const layers: string[] = [];
  for (const [index, layer] of manifest.layers.entries()) {
    if (layer.mediaType?.includes("zstd")) {
      throw new BundleError(
        `${source}: layer ${index} is zstd-compressed (${layer.mediaType}); write the image with gzip or uncompressed layers (skopeo copy --dest-compress-format gzip)`,
      );
    }
    layers.push(await checkedBlob(directory, source, layer, `layer ${index}`));
  }
  return {
    format,
    config: readConfig(configPath, source),
    configDigest: (manifest.config.digest ?? "").replace(/^sha256:/, ""),
    manifestDigest: manifestDescriptor.digest as string,
    ...(tagged(chosen as Descriptor) === undefined ? {} : { reference: tagged(chosen as Descriptor) as string }),
    layers,
    close,
  };
}

/** An index of manifests (a multi-platform image): the one for this machine. */
async function platformManifest(directory: string, source: string, descriptor: Descriptor): Promise<Descriptor> {
  if (!INDEX_MEDIA_TYPES.has(descriptor.mediaType ?? "")) {
    if (descriptor.mediaType !== undefined && !MANIFEST_MEDIA_TYPES.has(descriptor.mediaType)) {
      throw new BundleError(`${source}: ${descriptor.digest} is a ${descriptor.mediaType}, not an image manifest`);
    }
    return descriptor;
  }
  const nested = JSON.parse(readFileSync(await checkedBlob(directory, source, descriptor, "index"), "utf8")) as {
    manifests?: Descriptor[];
  };
  const wanted = ociArchitectureOfHost();
  const match = (nested.manifests ?? []).find(
    (candidate) => candidate.platform?.os === "linux" && candidate.platform.architecture === wanted,
  );
  if (match === undefined) {
    const platforms = (nested.manifests ?? []).map(
      (candidate) => `${candidate.platform?.os}/${candidate.platform?.architecture}`,
    );
    throw new BundleError(`${source}: no image for linux/${wanted} in its index (${platforms.join(", ") || "none"})`);
  }
  return platformManifest(directory, source, match);
}

async function openDockerArchive(
  directory: string,
  source: string,
  reference: string | undefined,
  close: () => void,
): Promise<OpenedImage> {
  const entries = readJson<{ Config?: string; RepoTags?: string[]; Layers?: string[] }[]>(
    join(directory, "manifest.json"),
    `${source}: manifest.json`,
  );
  const entry =
    reference === undefined
      ? entries.length === 1
        ? entries[0]
        : undefined
      : entries.find((candidate) => candidate.RepoTags?.includes(reference));
  if (entry === undefined) {
    const tags = entries.flatMap((candidate) => candidate.RepoTags ?? []);
    throw new BundleError(
      reference === undefined
        ? `${source}: holds ${entries.length} images (${describeTags(tags)}); name one with --ref TAG`
        : `${source}: no image tagged ${JSON.stringify(reference)}; it holds ${describeTags(tags)}`,
    );
  }
  if (entry.Config === undefined || entry.Layers === undefined) {
    throw new BundleError(`${source}: manifest.json names no Config or no Layers`);
  }
  const configPath = insideArchive(directory, source, entry.Config);
  const configDigest = await fileSha256(configPath);
  // The config's name is its digest in every writer of this format; a config that is not what it says was changed.
  const named = /([0-9a-f]{64})(\.json)?$/.exec(entry.Config)?.[1];
  if (named !== undefined && named !== configDigest) {
    throw new BundleError(
      `${source}: ${entry.Config} does not match its digest (sha256 ${configDigest}); the image was changed`,
    );
  }
  const config = readConfig(configPath, source);
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== entry.Layers.length) {
    throw new BundleError(
      `${source}: its config lists ${diffIds.length} layers and manifest.json ${entry.Layers.length}; the image is incomplete`,
    );
  }
  const layers: string[] = [];
  for (const [index, layer] of entry.Layers.entries()) {
    const path = insideArchive(directory, source, layer);
    const digest = `sha256:${await fileSha256(path)}`;
    if (digest !== diffIds[index]) {
      throw new BundleError(
        `${source}: layer ${layer} has ${digest}, and the config says ${diffIds[index]}; the image was changed`,
      );
    }
    layers.push(path);
  }
  const tag = reference ?? entry.RepoTags?.[0];
  return {
    format: "docker-archive",
    config,
    configDigest,
    ...(tag === undefined ? {} : { reference: tag }),
    layers,
    close,
  };
}

/** The blob a descriptor names, checked: a known algorithm, present, and of the digest it is named by. */
async function checkedBlob(directory: string, source: string, descriptor: Descriptor, what: string): Promise<string> {
  const digest = descriptor.digest ?? "";
  const match = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (match === null) throw new BundleError(`${source}: the ${what}'s digest ${JSON.stringify(digest)} is no sha256`);
  const path = join(directory, "blobs", "sha256", match[1] as string);
  if (!existsSync(path)) throw new BundleError(`${source}: the ${what}'s blob ${digest} is missing`);
  const actual = `sha256:${await fileSha256(path)}`;
  if (actual !== digest) {
    throw new BundleError(`${source}: blob ${digest} (the ${what}) has ${actual}; the image was changed`);
  }
  return path;
}

function insideArchive(directory: string, source: string, name: string): string {
  const unsafe = unsafeEntryPath(name);
  if (unsafe !== undefined) throw new BundleError(`${source}: manifest.json names ${JSON.stringify(name)}, ${unsafe}`);
  const path = join(directory, name);
  if (!existsSync(path)) throw new BundleError(`${source}: ${name} is named in manifest.json but not in the archive`);
  return path;
}

function readConfig(path: string, source: string): ImageConfig {
  const config = readJson<ImageConfig>(path, `${source}: the image config`);
  const wanted = ociArchitectureOfHost();
  if (config.os !== undefined && config.os !== "linux") {
    throw new BundleError(`${source}: an image for ${config.os}; a stack is a Linux root filesystem`);
  }
  if (config.architecture !== undefined && config.architecture !== wanted) {
    throw new BundleError(`${source}: an image for ${config.architecture}; this machine runs ${wanted}`);
  }
  return config;
}

function readJson<T>(path: string, what: string): T {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new BundleError(`${what} is missing`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new BundleError(`${what} is not JSON: ${(error as Error).message}`);
  }
}

function describeTags(tags: readonly (string | undefined)[]): string {
  const named = tags.filter((tag): tag is string => tag !== undefined);
  return named.length === 0 ? "no tags" : named.map((tag) => JSON.stringify(tag)).join(", ");
}

/** Node's name of this machine's architecture as OCI's (Go's). */
export function ociArchitectureOfHost(): string {
  const names: Record<string, string> = { x64: "amd64", arm64: "arm64", arm: "arm", ia32: "386", ppc64: "ppc64le" };
  return names[process.arch] ?? process.arch;
}

/** Unpacks an image archive's regular files and directories into `directory` (an image archive holds no others). */
async function unpackArchive(archive: string, directory: string): Promise<void> {
  const extract = tar.extract();
  createReadStream(archive).pipe(extract);
  try {
    for await (const entry of extract) {
      const name = entry.header.name.replace(/^(\.\/)+/, "");
      if (name === "" || name === "." || name === "./") {
        entry.resume();
        continue;
      }
      const unsafe = unsafeEntryPath(name);
      if (unsafe !== undefined) throw new BundleError(`${archive}: entry ${JSON.stringify(name)} is ${unsafe}`);
      const target = join(directory, name.replace(/\/$/, ""));
      if (entry.header.type === "directory") {
        mkdirSync(target, { recursive: true });
        entry.resume();
      } else if (entry.header.type === "file") {
        mkdirSync(dirname(target), { recursive: true });
        await pipeline(entry, createWriteStream(target));
      } else {
        entry.resume();
      }
    }
  } catch (error) {
    if (error instanceof BundleError) throw error;
    throw new BundleError(
      `${archive}: not a tar archive (${(error as Error).message}); give an image layout or archive`,
    );
  }
}
