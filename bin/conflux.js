#!/usr/bin/env node
// The conflux command. It runs the command line built to JavaScript
// (build/cli/main.mjs, by scripts/build.mjs on install), so that a command starts
// without transpiling: `conflux --help` in a fifth of the time the TypeScript
// loader takes. In a checkout whose sources changed since that build, it builds
// again first (about a second, once); if it cannot, it runs the sources through
// the TypeScript loader, as it did before there was a build.
import { fileURLToPath } from "node:url";
import { bundleStale } from "../scripts/bundle-freshness.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const listing = fileURLToPath(new URL("../build/cli/inputs.json", import.meta.url));

let stale = bundleStale(listing, root);
if (stale !== undefined) {
  try {
    const { buildCli } = await import("../scripts/bundles.mjs");
    await buildCli();
    stale = undefined;
  } catch (error) {
    process.stderr.write(
      `conflux: the built command line is out of date (${stale}) and could not be rebuilt (${error instanceof Error ? error.message : String(error)}); running it from its TypeScript sources, which starts slower. Rebuild it with: node ${fileURLToPath(new URL("../scripts/build.mjs", import.meta.url))} cli\n`,
    );
  }
}
if (stale === undefined) {
  await import("../build/cli/main.mjs");
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/cli/main.ts");
}
