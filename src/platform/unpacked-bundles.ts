// Where `conflux run app.cfx` unpacks a bundle ($XDG_CACHE_HOME/conflux/bundles/
// <the bundle's SHA-256>/), and which unpacked bundle a path lies in. Here,
// below both, so that the bundle layer (which unpacks) and a container enclave
// (which must show a component the whole of its application) agree on it.

import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";

/** The directory of a bundle that holds the composition and every file its components read. */
export const APP_DIRECTORY = "app";
/** The directory of a bundle that holds the conflux clients its components use (python/, c/, typescript/). */
export const CLIENTS_DIRECTORY = "clients";

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

/** The clients directory of the unpacked bundle that `path` (absolute) lies in, when it has one, or undefined. */
export function unpackedClientsOf(path: string): string | undefined {
  const application = unpackedApplicationOf(path);
  if (application === undefined) return undefined;
  const clients = join(dirname(application), CLIENTS_DIRECTORY);
  return existsSync(clients) ? clients : undefined;
}

/**
 * A component's environment when its composition runs from an unpacked bundle that carries the Python client:
 * that client first on PYTHONPATH, so it is the one `import conflux` finds, before any path the composition
 * names (which was the packing machine's) and the driver's own.
 */
export function withBundleClients(
  environment: Record<string, string>,
  compositionFile: string,
): Record<string, string> {
  const clients = unpackedClientsOf(compositionFile);
  const python = clients === undefined ? undefined : join(clients, "python");
  if (python === undefined || !existsSync(python)) return environment;
  const rest = environment.PYTHONPATH ?? process.env.PYTHONPATH ?? "";
  return { ...environment, PYTHONPATH: rest === "" ? python : `${python}${delimiter}${rest}` };
}
