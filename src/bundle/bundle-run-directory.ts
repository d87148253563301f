// Where `conflux run app.cfx` unpacks a bundle: a private directory named by
// the bundle's SHA-256 under the cache ($XDG_CACHE_HOME/conflux/bundles), so
// a run record's composition path stays valid for `conflux repro verify` and
// a bundle of other bytes never shares it. It is unpacked afresh every time,
// after every hash is checked, and its stacks are installed into the store.
import { renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { bundlesDirectory } from "../platform/unpacked-bundles.ts";
import { hashFile } from "../record/file-digest.ts";
import { BundleError } from "./bundle-format.ts";
import { type InstalledStack, installStacks } from "./stack-installation.ts";
import { linkInstalledConflux, type UnpackedBundle, unpackBundle } from "./unpack-bundle.ts";

export { bundlesDirectory };

export interface PreparedBundle extends UnpackedBundle {
  sha256: string;
  stacks: InstalledStack[];
}

export async function prepareBundleRun(file: string): Promise<PreparedBundle> {
  const { sha256, error } = hashFile(file);
  if (sha256 === undefined)
    throw new BundleError(`${file} cannot be read (${error ?? "unknown error"}): give the path of a bundle`);
  const directory = join(bundlesDirectory(), sha256);
  const staging = `${directory}.unpacking-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    const unpacked = await unpackBundle(file, staging);
    rmSync(directory, { recursive: true, force: true });
    renameSync(staging, directory);
    const moved: UnpackedBundle = {
      directory,
      manifest: unpacked.manifest,
      composition: join(directory, unpacked.manifest.composition),
    };
    linkInstalledConflux(moved);
    const stacks = await installStacks(directory, moved.manifest);
    return { ...moved, sha256, stacks };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
