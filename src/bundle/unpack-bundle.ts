// `conflux unpack` and the first step of `conflux run app.cfx`: every entry
// checked against the manifest as it is written, into a directory that is new
// (or empty), so nothing of the bundle lands beside files it did not write.
import { createWriteStream, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { PACKAGE_NAME, PACKAGE_ROOT } from "../platform/package-root.ts";
import { APP_DIRECTORY, BundleError, type BundleManifest } from "./bundle-format.ts";
import { verifyBundle } from "./bundle-verification.ts";

export interface UnpackedBundle {
  directory: string;
  manifest: BundleManifest;
  /** The composition's path on disk. */
  composition: string;
}

export async function unpackBundle(file: string, directory: string): Promise<UnpackedBundle> {
  if (existsSync(directory) && readdirSync(directory).length > 0) {
    throw new BundleError(`${directory} is not empty: unpack into a new or empty directory (-C DIR)`);
  }
  const created = !existsSync(directory);
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  try {
    const manifest = await verifyBundle(file, {
      open(path, mode) {
        const target = join(directory, path);
        mkdirSync(dirname(target), { recursive: true });
        return createWriteStream(target, { mode });
      },
    });
    return { directory, manifest, composition: join(directory, manifest.composition) };
  } catch (error) {
    // A bundle that fails its check leaves nothing behind to be run by mistake.
    if (created) rmSync(directory, { recursive: true, force: true });
    else for (const entry of readdirSync(directory)) rmSync(join(directory, entry), { recursive: true, force: true });
    throw error;
  }
}

/**
 * Lets a TypeScript component's `import … from "conflux-coupling/component"`
 * resolve in an unpacked bundle, to the SDK of the conflux that runs it, as
 * `npm install conflux-coupling` beside the application would.
 */
export function linkInstalledConflux(unpacked: UnpackedBundle): void {
  const modules = join(unpacked.directory, APP_DIRECTORY, "node_modules");
  const link = join(modules, PACKAGE_NAME);
  if (existsSync(link)) return;
  mkdirSync(modules, { recursive: true });
  symlinkSync(PACKAGE_ROOT.replace(/\/$/, ""), link);
}
