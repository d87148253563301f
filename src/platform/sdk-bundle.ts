// The component SDK as one built module (build/component/sdk.mjs, what
// "conflux/component" loads): whether it matches its sources, and building it
// again when it does not. A checkout whose SDK sources changed since the last
// build would otherwise start components on the old SDK, whose wire format may
// no longer be the driver's. The check is a stat per source (about 30), cheap
// enough for every run; it is the one bin/conflux.js makes of the command line's
// own build (scripts/bundle-freshness.mjs).
import { spawnSync } from "node:child_process";
import { bundleStale } from "../../scripts/bundle-freshness.mjs";
import { PACKAGE_ROOT, packagePath } from "./package-root.ts";

const BUILD_SCRIPT = packagePath("scripts/build.mjs");
/** What scripts/build.mjs writes beside the bundle: the bundle's name and every source's size, time and hash. */
export const SDK_INPUTS = packagePath("build/component/inputs.json");

/**
 * Why the bundle `listing` describes is not what its sources (paths relative to `root`) would build now, or
 * undefined when it is.
 */
export function sdkBundleStale(listing = SDK_INPUTS, root = PACKAGE_ROOT): string | undefined {
  return bundleStale(listing, root);
}

/** Builds the bundle when it is stale; throws, saying why, when it cannot. */
export function ensureSdkBundle(): void {
  const stale = sdkBundleStale();
  if (stale === undefined) return;
  const built = spawnSync(process.execPath, [BUILD_SCRIPT, "sdk"], { encoding: "utf8" });
  if (built.status !== 0) {
    throw new Error(
      `the component SDK (build/component/sdk.mjs) needs building, because ${stale}, and the build failed: ${(built.stderr || built.error?.message || "").trim()}; run: node scripts/build.mjs sdk`,
    );
  }
}
