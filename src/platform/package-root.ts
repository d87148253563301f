// Where this package's own files are (guest/, container/, clients/, examples/,
// package.json), found from this one module's place in src/, so that no other
// module counts "../" from wherever it happens to live.
import { fileURLToPath } from "node:url";

const ROOT = new URL("../../", import.meta.url);

/**
 * The name the package is published and imported under ("conflux-coupling/component"); the command stays
 * `conflux`. The npm name "conflux" is another project's.
 */
export const PACKAGE_NAME = "conflux-coupling";

/** The package's root directory, ending in "/". */
export const PACKAGE_ROOT = fileURLToPath(ROOT);

/** A path inside the package; a `relative` that ends in "/" keeps it, as URL resolution does. */
export function packagePath(relative: string): string {
  return fileURLToPath(new URL(relative, ROOT));
}
