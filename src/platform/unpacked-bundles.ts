// Where `conflux run app.cfx` unpacks a bundle ($XDG_CACHE_HOME/conflux/bundles/
// <the bundle's SHA-256>/), and which unpacked bundle a path lies in. Here,
// below both, so that the bundle layer (which unpacks) and a container enclave
// (which must show a component the whole of its application) agree on it.
import { homedir } from "node:os";
import { isAbsolute, join, relative, resolve, sep } from "node:path";

/** The directory of a bundle that holds the composition and every file its components read. */
export const APP_DIRECTORY = "app";

export function bundlesDirectory(): string {
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return resolve(cache, "conflux", "bundles");
}

/** The application directory of the unpacked bundle that `path` (absolute) lies in, or undefined. */
export function unpackedApplicationOf(path: string): string | undefined {
  const bundles = bundlesDirectory();
  const inside = relative(bundles, path);
  if (inside === "" || isAbsolute(inside)) return undefined;
  const [hash, app] = inside.split(sep);
  return hash !== undefined && /^[0-9a-f]{64}$/.test(hash) && app === APP_DIRECTORY
    ? join(bundles, hash, APP_DIRECTORY)
    : undefined;
}
