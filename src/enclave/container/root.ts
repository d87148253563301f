// The filesystem a container component sees, the same for every runtime: its
// stack's directories (or the host's system directories) read-only, fresh
// /proc, /dev and /tmp, its run's directory read-write and nothing else of
// /dev/shm, and, read-only at their own paths, the few host directories it
// cannot run without: Conflux itself (tsx, the SDK, the C and Python clients),
// node, the component's own files and its working directory (in an unpacked
// bundle, the bundle's whole application directory).
import { lstatSync, readdirSync, readlinkSync, realpathSync } from "node:fs";
import { dirname, join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import { findExecutable } from "../../platform/executable.ts";
import { PACKAGE_ROOT } from "../../platform/package-root.ts";
import { isDirectory, pathExists } from "../../platform/path-kind.ts";
import { tsxLoaderUrl } from "../../platform/typescript-loader.ts";
import { unpackedApplicationOf, unpackedClientsOf } from "../../platform/unpacked-bundles.ts";
import { componentEnvironment } from "../launch.ts";
import type { ContainerLaunch, ContainerSettings } from "./settings.ts";

/** One top-level entry of the root: a directory bound read-only, or a symlink made anew. */
export type RootEntry = { name: string; kind: "directory" } | { name: string; kind: "symlink"; target: string };

export interface ContainerRoot {
  /** Where the top-level entries come from: "/" for the host's, else the stack's root filesystem. */
  source: string;
  entries: RootEntry[];
  /** Host directories bound read-only at the same path, outermost first. */
  hostDirectories: string[];
  /** The run's directory, bound read-write at the same path (absent when it does not exist). */
  runDirectory?: string;
  cwd: string;
  /** What runs inside, with paths as the component sees them. */
  argv: string[];
  environment: Record<string, string>;
  /** "the host's system directories" or "stack NAME", for messages and the run record. */
  stackLabel: string;
}

/** The host's directories a program needs; home directories, /var, /srv and the like stay out. */
const HOST_SYSTEM_ENTRIES = ["usr", "etc", "bin", "sbin", "lib", "lib32", "lib64", "libx32"];
/** Made fresh in every container, never taken from a stack. */
const FRESH_ENTRIES = new Set(["proc", "dev", "sys", "tmp", "run"]);
/** A stack's PATH: Debian's default, since the host's (version managers, ~/bin) means nothing there. */
export const STACK_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** This package's root, links resolved: tsx, the SDK and the clients live below it. */
const PACKAGE_ROOT_REAL = realpathSync(PACKAGE_ROOT);

/** Thrown for a launch that cannot run in its container; the message names the component and the fix. */
export class ContainerLaunchError extends Error {}

export function containerRoot(launch: ContainerLaunch, settings: ContainerSettings): ContainerRoot {
  const where = `component ${launch.name}`;
  const rootfs = settings.rootfs;
  const stackLabel = rootfs === undefined ? "the host's system directories" : `stack ${settings.stack ?? rootfs}`;
  if (rootfs !== undefined && !isDirectory(join(rootfs, "usr"))) {
    const build =
      settings.stack === undefined
        ? ""
        : `; build it with \`conflux stack build <spec>\` (the spec named ${settings.stack}), or import an image as it with \`conflux stack import IMAGE --name ${settings.stack}\``;
    // A tree that is there but has no /usr is no root file system a program could run on (an image of one static file).
    throw new ContainerLaunchError(
      isDirectory(rootfs)
        ? `${where}: ${stackLabel} at ${rootfs} has no usr directory, so it is no root file system a component runs on; give the image a /usr (and its programs), or use another stack`
        : `${where}: ${stackLabel} is not built: ${rootfs} does not exist${build}`,
    );
  }
  const source = rootfs ?? "/";
  const entries = rootEntries(source, rootfs === undefined ? HOST_SYSTEM_ENTRIES : undefined);
  const inRoot = (path: string) =>
    entries.some((entry) => path === `/${entry.name}` || path.startsWith(`/${entry.name}/`));

  // The component's own pid namespace hides the driver's pid; the container dies with its driver instead.
  const environment = componentEnvironment(launch, "enclave");
  if (rootfs !== undefined) environment.PATH = launch.env?.PATH ?? STACK_PATH;
  const wanted = [PACKAGE_ROOT_REAL];
  let argv: string[];
  if (launch.module !== undefined) {
    wanted.push(dirname(launch.module));
    const node = rootfs === undefined ? process.execPath : lookUp("node", rootfs, environment.PATH ?? STACK_PATH);
    if (node === undefined) {
      throw new ContainerLaunchError(
        `${where}: ${stackLabel} has no node, which a TypeScript or JavaScript component needs; add nodejs to the stack's packages`,
      );
    }
    if (rootfs === undefined) wanted.push(dirname(dirname(realpathSync(node))));
    const loader = tsxLoaderUrl();
    // tsx and its dependencies may live outside this package (a node_modules higher up, or linked in).
    wanted.push(nodeModulesOf(realpathSync(fileURLToPath(loader))));
    argv = [node, "--import", loader, launch.module];
  } else {
    const [program = "", ...rest] = launch.command ?? [];
    argv = [resolveProgram(where, program, rootfs, stackLabel, environment.PATH ?? STACK_PATH, inRoot), ...rest];
    if (program.includes("/") && !(rootfs !== undefined && inRoot(program))) wanted.push(dirname(program));
  }
  const cwd = launch.cwd ?? process.cwd();
  wanted.push(cwd);
  // A bundle keeps the application's files at their paths relative to one another (a script's
  // ../../clients/python, a module's ../seed-dtk/app-a.ts), where the component may reach any of them:
  // the whole of its unpacked application is the component's own, not only its directory.
  const application = unpackedApplicationOf(cwd);
  if (application !== undefined) wanted.push(application);
  // And the clients it carries, which a run from it puts first on the component's PYTHONPATH.
  const clients = unpackedClientsOf(cwd);
  if (clients !== undefined) wanted.push(clients);
  const runDirectory = isDirectory(launch.runDirectory) ? launch.runDirectory : undefined;
  return {
    source,
    entries,
    hostDirectories: outermost(wanted.filter((path) => path !== "/" && !inRoot(path) && !isUnder(path, "/dev/shm"))),
    ...(runDirectory === undefined ? {} : { runDirectory }),
    cwd,
    argv,
    environment,
    stackLabel,
  };
}

function rootEntries(source: string, only: string[] | undefined): RootEntry[] {
  const names = only ?? readdirSync(source).filter((name) => !FRESH_ENTRIES.has(name));
  const entries: RootEntry[] = [];
  for (const name of names.sort()) {
    const path = join(source, name);
    let stat: ReturnType<typeof lstatSync>;
    try {
      stat = lstatSync(path);
    } catch {
      continue; // this host has no /lib32, say
    }
    if (stat.isSymbolicLink()) entries.push({ name, kind: "symlink", target: readlinkSync(path) });
    else if (stat.isDirectory()) entries.push({ name, kind: "directory" });
  }
  return entries;
}

/** The program's path as the component sees it, or an error saying where it was looked for. */
function resolveProgram(
  where: string,
  program: string,
  rootfs: string | undefined,
  stackLabel: string,
  path: string,
  inRoot: (path: string) => boolean,
): string {
  if (program.includes("/")) {
    // A path into the stack's own directories names the stack's file; any other is the host's, bound in.
    const onHost = rootfs === undefined || !inRoot(program);
    if (pathExists(onHost ? program : join(rootfs, program))) return program;
    throw new ContainerLaunchError(
      `${where}: command ${program} does not exist ${onHost ? "on this host" : `in ${stackLabel}`}`,
    );
  }
  const found = rootfs === undefined ? findExecutable(program) : lookUp(program, rootfs, path);
  if (found !== undefined) return found;
  throw new ContainerLaunchError(
    rootfs === undefined
      ? `${where}: command ${program} is not an executable on PATH`
      : `${where}: command ${program} is not in ${stackLabel} (looked in ${path.split(":").join(", ")}); add the package that provides it to the stack's spec`,
  );
}

/** The in-container path of `name` on `path` inside `rootfs`; links are not followed (they point inside it). */
function lookUp(name: string, rootfs: string, path: string): string | undefined {
  for (const directory of path.split(":")) {
    if (!directory.startsWith("/")) continue;
    const candidate = posix.join(directory, name);
    if (pathExists(join(rootfs, candidate))) return candidate;
  }
  return undefined;
}

/** The node_modules directory a package file lies in (the file's own directory when none). */
function nodeModulesOf(file: string): string {
  const parts = file.split("/");
  const index = parts.lastIndexOf("node_modules");
  return index > 0 ? parts.slice(0, index + 1).join("/") : dirname(file);
}

function outermost(paths: string[]): string[] {
  const kept: string[] = [];
  for (const path of [...new Set(paths)].sort((a, b) => a.length - b.length)) {
    if (!kept.some((outer) => isUnder(path, outer))) kept.push(path);
  }
  return kept;
}

function isUnder(path: string, directory: string): boolean {
  return path === directory || path.startsWith(`${directory}/`);
}
