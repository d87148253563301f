// Builds the package's JavaScript (scripts/bundles.mjs): `node scripts/build.mjs`
// builds the component SDK, the other public surfaces and the command line;
// `node scripts/build.mjs sdk`, `... lib` or `... cli` one of them. Run by `npm install`, by `npm pack`, by the test runner,
// and by bin/conflux.js and the runner when a bundle is stale.
import { buildCli, buildLibrary, buildSdk } from "./bundles.mjs";

const BUILDS = { sdk: buildSdk, lib: buildLibrary, cli: buildCli };
const asked = process.argv.slice(2);
for (const name of asked) {
  if (!(name in BUILDS)) {
    process.stderr.write(`scripts/build.mjs: unknown build "${name}"; give sdk, lib, cli or nothing (all three)\n`);
    process.exit(2);
  }
}
for (const name of asked.length === 0 ? Object.keys(BUILDS) : asked) await BUILDS[name]();
