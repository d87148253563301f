// The package's built modules that components load (build/component/sdk.mjs,
// "conflux-coupling/component", and build/lib/, the other public surfaces):
// whether they match their sources, and building them again when they do not. A
// checkout whose SDK sources changed since the last build would otherwise start
// components on the old SDK, whose wire format may no longer be the driver's.
// The check is a stat per source, cheap enough for every run; it is the one
// bin/conflux.js makes of the command line's own build (scripts/bundle-freshness.mjs).
import { spawnSync } from "node:child_process";
import { bundleStale } from "../../scripts/bundle-freshness.mjs";
import { PACKAGE_ROOT, packagePath } from "./package-root.ts";

const BUILD_SCRIPT = packagePath("scripts/build.mjs");
/** What scripts/build.mjs writes beside the SDK: the bundle's name and every source's size, time and hash. */
export const SDK_INPUTS = packagePath("build/component/inputs.json");
/** The same for the other public surfaces. */
export const LIBRARY_INPUTS = packagePath("build/lib/inputs.json");

/**
 * Why the bundle `listing` describes is not what its sources (paths relative to `root`) would build now, or
 * undefined when it is.
 */
export function sdkBundleStale(listing = SDK_INPUTS, root = PACKAGE_ROOT): string | undefined {
  return bundleStale(listing, root);
}

/** Builds the SDK and the public surfaces where they are stale; throws, saying why, when it cannot. */
export function ensureSdkBundle(): void {
  const builds = [
    { name: "sdk", what: "the component SDK (build/component)", listing: SDK_INPUTS },
    { name: "lib", what: "the package's public modules (build/lib)", listing: LIBRARY_INPUTS },
  ];
  for (const { name, what, listing } of builds) {
    const stale = sdkBundleStale(listing);
    if (stale === undefined) continue;
    const built = spawnSync(process.execPath, [BUILD_SCRIPT, name], { encoding: "utf8" });
    if (built.status !== 0) {
      throw new Error(
        `${what} needs building, because ${stale}, and the build failed: ${(built.stderr || built.error?.message || "").trim()}; run: node scripts/build.mjs ${name}`,
      );
    }
  }
}
