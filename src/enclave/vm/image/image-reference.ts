// A prebuilt image named in a composition (`vm.image`): the directory
// `conflux vm build` printed, or its SHA-256 (or a unique prefix of at least
// 12 characters) in the image cache.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { GuestImage } from "./guest-image.ts";
import { imageCacheDirectory } from "./guest-image.ts";
import type { GuestKernel } from "./guest-kernel.ts";

const MIN_PREFIX = 12;

export function resolveImage(reference: string, kernel: GuestKernel, cache = imageCacheDirectory()): GuestImage {
  let directory: string | undefined;
  if (reference.includes("/")) {
    directory = reference;
  } else {
    if (reference.length < MIN_PREFIX) {
      throw new Error(
        `vm image "${reference}": give the image's directory or at least ${MIN_PREFIX} characters of its sha256`,
      );
    }
    const matches = existsSync(cache)
      ? readdirSync(cache).filter((name) => name.startsWith(`image-${reference}`) && !name.endsWith(".partial"))
      : [];
    if (matches.length > 1)
      throw new Error(`vm image "${reference}" matches ${matches.length} images in ${cache}; give more of its sha256`);
    if (matches[0] !== undefined) directory = join(cache, matches[0]);
  }
  const initramfs = directory === undefined ? undefined : join(directory, "initramfs.cpio");
  if (directory === undefined || initramfs === undefined || !existsSync(initramfs)) {
    throw new Error(`vm image "${reference}" is not in ${cache}; build it with \`conflux vm build\``);
  }
  const sha256 = /image-([0-9a-f]{64})$/.exec(directory.replace(/\/+$/, ""))?.[1] ?? "";
  return { sha256, kernel, initramfs, bytes: statSync(initramfs).size, built: false };
}
