// The Python client of the conflux that runs a component, last on the
// component's PYTHONPATH, so `import conflux` works in a script wherever it
// lies (a copy of an example, a project of its own) without a path in the
// composition or a sys.path line in the script. Last, so a client the
// composition or the driver's environment names, or a bundle's, still wins;
// before site-packages, so an older pip-installed client does not shadow the
// one whose wire format this driver speaks.
import { realpathSync } from "node:fs";
import { delimiter } from "node:path";
import { packagePath } from "./package-root.ts";
import { withBundleClients } from "./unpacked-bundles.ts";

/**
 * This package's clients/python at its real path: a container shows the package's real directory at its own
 * path (enclave/container/root.ts), so that is the path that holds inside one too.
 */
export function pythonClientDirectory(): string {
  return realpathSync(packagePath("clients/python"));
}

/** `environment` with this conflux's Python client appended to its PYTHONPATH (the driver's, when it names none). */
export function withPythonClient(environment: Record<string, string>): Record<string, string> {
  const client = pythonClientDirectory();
  const given = environment.PYTHONPATH ?? process.env.PYTHONPATH ?? "";
  const entries = given === "" ? [] : given.split(delimiter);
  if (entries.includes(client)) return environment;
  return { ...environment, PYTHONPATH: [...entries, client].join(delimiter) };
}

/**
 * A component's environment as `conflux run` gives it: from a bundle, the bundle's Python client first
 * (unpacked-bundles.ts); for a command (a script may be Python), this conflux's last. A module component runs on
 * the TypeScript SDK alone, and its environment stays as the composition wrote it.
 */
export function withClients(
  environment: Record<string, string>,
  compositionFile: string,
  runsCommand: boolean,
): Record<string, string> {
  const bundled = withBundleClients(environment, compositionFile);
  return runsCommand ? withPythonClient(bundled) : bundled;
}
