// The component SDK as one built module (build/component/sdk.mjs, what
// "conflux/component" loads): whether it matches its sources, and building it
// again when it does not. A checkout whose SDK sources changed since the last
// build would otherwise start components on the old SDK, whose wire format may
// no longer be the driver's. The check is a stat per source (about 30), cheap
// enough for every run.
import { spawnSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { PACKAGE_ROOT, packagePath } from "./package-root.ts";

const BUILD_SCRIPT = packagePath("scripts/build-sdk.mjs");
/** What scripts/build-sdk.mjs writes beside the bundle: the bundle's name and every source's size and time. */
export const SDK_INPUTS = packagePath("build/component/sdk-inputs.json");

interface BundleInputs {
  bundle: string;
  inputs: { path: string; size: number; mtimeMs: number }[];
}

/**
 * Why the bundle `listing` describes is not what its sources (paths relative to `root`) would build now, or
 * undefined when it is.
 */
export function sdkBundleStale(listing = SDK_INPUTS, root = PACKAGE_ROOT): string | undefined {
  let recorded: BundleInputs;
  try {
    recorded = JSON.parse(readFileSync(listing, "utf8")) as BundleInputs;
    statSync(join(dirname(listing), recorded.bundle));
  } catch {
    return "it has not been built";
  }
  for (const input of recorded.inputs) {
    try {
      const now = statSync(join(root, input.path));
      if (now.size !== input.size || now.mtimeMs !== input.mtimeMs) return `${input.path} changed since it was built`;
    } catch {
      return `${input.path} is gone`;
    }
  }
  return undefined;
}

/** Builds the bundle when it is stale; throws, saying why, when it cannot. */
export function ensureSdkBundle(): void {
  const stale = sdkBundleStale();
  if (stale === undefined) return;
  const built = spawnSync(process.execPath, [BUILD_SCRIPT], { encoding: "utf8" });
  if (built.status !== 0) {
    throw new Error(
      `the component SDK (build/component/sdk.mjs) needs building, because ${stale}, and the build failed: ${(built.stderr || built.error?.message || "").trim()}; run: node scripts/build-sdk.mjs`,
    );
  }
}
