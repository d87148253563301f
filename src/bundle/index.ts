// bundle/ owns bundles: a composition with its files, clients and stacks in one archive (docs/bundles.md), packed and unpacked.
// It must not run a composition: it unpacks a checked bundle into a directory and installs its stacks; the runner runs it.
export { BundleError, type BundleManifest } from "./bundle-format.ts";
export { looksLikeBundle, readBundle } from "./bundle-reader.ts";
export { bundlesDirectory, prepareBundleRun } from "./bundle-run-directory.ts";
export { bundleSummary } from "./bundle-summary.ts";
export { verifyBundle } from "./bundle-verification.ts";
export { packBundle } from "./pack-bundle.ts";
export { installStacks } from "./stack-installation.ts";
export { unpackBundle } from "./unpack-bundle.ts";
