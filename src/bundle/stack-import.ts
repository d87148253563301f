// An image a user already has, made a stack a container component can name
// (conflux stack import): its layers unpacked in order into a root file system
// in the stack store, whiteouts applied, under the image's ID (the sha256 of
// its config, which is the same whether it came as an OCI layout, an
// oci-archive or a docker archive), with the name given. A stack already
// stored under that ID is kept, and only named.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { installedPackages } from "../stack/dpkg-status.ts";
import { debianArchitecture, STACK_FORMAT } from "../stack/stack-hash.ts";
import { NAME_PATTERN } from "../stack/stack-spec.ts";
import {
  linkStackName,
  MANIFEST_FILE,
  readManifest,
  type StackManifest,
  stackDirectory,
  stacksDirectory,
} from "../stack/stack-store.ts";
import { BundleError } from "./bundle-format.ts";
import { openImage } from "./image-source.ts";
import { extractLayer, resolveInside } from "./layer-extraction.ts";

export interface ImportedStack {
  manifest: StackManifest;
  directory: string;
  /** False when the store held the image already. */
  imported: boolean;
}

export async function importStack(
  image: string,
  options: { name: string; reference?: string; store?: string },
): Promise<ImportedStack> {
  const store = options.store ?? stacksDirectory();
  if (!NAME_PATTERN.test(options.name)) {
    throw new BundleError(
      `--name ${JSON.stringify(options.name)}: a stack name is a letter, then up to 31 letters, digits, "-" or "_"`,
    );
  }
  const opened = await openImage(image, options.reference);
  try {
    const hash = opened.configDigest;
    const directory = stackDirectory(hash, store);
    let manifest = readManifest(directory);
    const imported = manifest === undefined;
    if (manifest === undefined) {
      const staging = join(store, `.import-staging-${hash}-${process.pid}`);
      rmSync(staging, { recursive: true, force: true });
      try {
        const rootfs = join(staging, "rootfs");
        mkdirSync(rootfs, { recursive: true });
        for (const [index, layer] of opened.layers.entries()) {
          await extractLayer(layer, rootfs, `${image}, layer ${index}`, {
            foreign: true,
            fix: "the image holds an entry no root file system may; rebuild the image without it",
          });
        }
        manifest = {
          format: STACK_FORMAT,
          name: options.name,
          hash,
          base: "",
          release: releaseOf(rootfs),
          architecture: debianArchitecture(),
          mirror: "",
          packages: [],
          files: [],
          installed: installedPackages(rootfs),
          spec: "",
          builtUnixMs: Date.now(),
          ...(opened.manifestDigest === undefined ? {} : { imageDigest: opened.manifestDigest }),
          image: {
            source: resolve(image),
            format: opened.format,
            ...(opened.reference === undefined ? {} : { reference: opened.reference }),
            configDigest: `sha256:${hash}`,
          },
        };
        writeFileSync(join(staging, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
        rmSync(directory, { recursive: true, force: true });
        renameSync(staging, directory);
      } finally {
        rmSync(staging, { recursive: true, force: true });
      }
    }
    linkStackName(options.name, hash, store);
    return { manifest, directory, imported };
  } finally {
    opened.close();
  }
}

/** The Debian (or other) release the tree says it is, from its os-release; "" when it says none. */
function releaseOf(rootfs: string): string {
  for (const path of ["etc/os-release", "usr/lib/os-release"]) {
    const file = resolveInside(rootfs, path, true);
    if (!existsSync(file)) continue;
    const text = readFileSync(file, "utf8");
    const codename = /^VERSION_CODENAME=("?)([^"\n]*)\1$/m.exec(text)?.[2];
    const id = /^ID=("?)([^"\n]*)\1$/m.exec(text)?.[2];
    return codename ?? id ?? "";
  }
  return "";
}
