// A bundle's stacks put into the stack store ($CONFLUX_STACKS), layer by
// layer, under the hash they had where they were built, with their names: a
// composition's `stack: numpy1` then finds the bundle's stack as it finds one
// `conflux stack build` made. A stack already stored under that hash is kept.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { linkStackName, MANIFEST_FILE, stackDirectory, stacksDirectory } from "../stack/stack-store.ts";
import { BundleError, type BundleManifest, OCI_DIRECTORY } from "./bundle-format.ts";
import { extractLayer } from "./layer-extraction.ts";

export interface InstalledStack {
  name: string;
  hash: string;
  imageDigest: string;
  /** False when the store already held it. */
  installed: boolean;
}

/** Installs the stacks of the bundle unpacked at `unpacked` into the store. */
export async function installStacks(
  unpacked: string,
  manifest: BundleManifest,
  store = stacksDirectory(),
): Promise<InstalledStack[]> {
  const done: InstalledStack[] = [];
  for (const stack of manifest.stacks) {
    const hash = stack.stack.hash;
    if (!/^[0-9a-f]{64}$/.test(hash))
      throw new BundleError(
        `stack ${stack.name}: its hash ${JSON.stringify(hash)} is no SHA-256; pack the bundle again`,
      );
    const directory = stackDirectory(hash, store);
    const present = existsSync(join(directory, MANIFEST_FILE));
    if (!present) {
      const staging = join(store, `.bundle-staging-${hash}-${process.pid}`);
      rmSync(staging, { recursive: true, force: true });
      try {
        mkdirSync(join(staging, "rootfs"), { recursive: true });
        for (const layer of stack.layers) {
          const blob = join(unpacked, OCI_DIRECTORY, "blobs", "sha256", layer.replace(/^sha256:/, ""));
          if (!existsSync(blob))
            throw new BundleError(`stack ${stack.name}: layer ${layer} is not in the bundle; pack it again`);
          await extractLayer(blob, join(staging, "rootfs"), `stack ${stack.name}, layer ${layer}`);
        }
        writeFileSync(
          join(staging, MANIFEST_FILE),
          `${JSON.stringify({ ...stack.stack, imageDigest: stack.imageDigest }, null, 2)}\n`,
        );
        rmSync(directory, { recursive: true, force: true });
        renameSync(staging, directory);
      } finally {
        rmSync(staging, { recursive: true, force: true });
      }
    }
    linkStackName(stack.name, hash, store);
    done.push({ name: stack.name, hash, imageDigest: stack.imageDigest, installed: !present });
  }
  return done;
}
