// What a component needs in the guest, gathered from the host at the same
// paths: a program with the shared libraries ldd names (and the interpreter of
// a script), a Node.js package with the dependencies it declares. Symbolic
// links along a path (Debian's /lib → usr/lib) are kept as links, so every path
// the component knows on the host means the same file in the guest.
import { spawnSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  readSync,
  statSync,
} from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import type { ArchiveEntry } from "./cpio-archive.ts";

export class GuestFileSet {
  private readonly entries = new Map<string, ArchiveEntry>();

  /** Every entry, parents before children, sorted so the archive is the same for the same files. */
  list(): ArchiveEntry[] {
    return [...this.entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  directory(path: string, mode = 0o755): void {
    if (path === "/" || this.entries.has(path)) return;
    this.directory(dirname(path));
    this.entries.set(path, { path, type: "directory", mode });
  }

  /** A host file placed at `guestPath` (which may differ from where it is on the host). */
  file(guestPath: string, source: string, mode = statSync(source).mode & 0o7777): void {
    this.directory(dirname(guestPath));
    this.entries.set(guestPath, { path: guestPath, type: "file", mode, source });
  }

  /** A symbolic link at `guestPath` to `target` (replacing what was there). */
  symlink(guestPath: string, target: string): void {
    this.directory(dirname(guestPath));
    this.entries.set(guestPath, { path: guestPath, type: "symlink", target });
  }

  has(guestPath: string): boolean {
    return this.entries.has(guestPath);
  }

  /** A host path at the same path in the guest, following and keeping every symbolic link on the way. */
  hostPath(path: string): void {
    let current = "/";
    const parts = resolve(path)
      .split("/")
      .filter((part) => part !== "");
    for (let index = 0; index < parts.length; index++) {
      const next = join(current, parts[index] ?? "");
      const status = lstatSync(next);
      if (status.isSymbolicLink()) {
        const target = readlinkSync(next);
        this.directory(dirname(next));
        this.entries.set(next, { path: next, type: "symlink", target });
        const rest = parts.slice(index + 1).join("/");
        this.hostPath(join(isAbsolute(target) ? target : join(dirname(next), target), rest));
        return;
      }
      if (index === parts.length - 1) {
        if (status.isDirectory()) this.directory(next, status.mode & 0o7777);
        else if (status.isFile()) this.file(next, next, status.mode & 0o7777);
        return;
      }
      current = next;
    }
  }

  /** A program and what the dynamic linker loads for it (nothing for a static one); a script's interpreter too. */
  program(path: string): void {
    this.hostPath(path);
    const interpreter = scriptInterpreter(path);
    if (interpreter !== undefined) {
      this.program(interpreter);
      return;
    }
    for (const library of sharedLibraries(path)) this.hostPath(library);
  }

  /**
   * Every file of a package directory except version-control data and its
   * node_modules, then, from node_modules, the packages it depends on (and
   * theirs), found the way Node.js resolves them. Native addons bring their libraries.
   */
  nodePackage(root: string, seen = new Set<string>()): void {
    if (seen.has(root)) return;
    seen.add(root);
    this.tree(root, root);
    const manifest = readManifest(root);
    const names = Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies });
    for (const name of names) {
      const found = resolvePackage(root, name);
      if (found !== undefined) this.nodePackage(found, seen);
    }
  }

  private tree(root: string, directory: string): void {
    this.hostPath(directory);
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      if (entry.name === ".git" || (entry.name === "node_modules" && directory === root)) continue;
      const path = join(directory, entry.name);
      if (entry.isDirectory()) this.tree(root, path);
      else if (entry.isSymbolicLink()) this.entries.set(path, { path, type: "symlink", target: readlinkSync(path) });
      else if (entry.isFile()) {
        this.file(path, path);
        if (entry.name.endsWith(".node")) for (const library of sharedLibraries(path)) this.hostPath(library);
      }
    }
  }
}

interface Manifest {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** Whether the package at `root` declares `name` among its dependencies. */
export function declaresDependency(root: string, name: string): boolean {
  const manifest = readManifest(root);
  return name in { ...manifest.dependencies, ...manifest.optionalDependencies };
}

function readManifest(root: string): Manifest {
  try {
    return JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as Manifest;
  } catch {
    return {};
  }
}

/** The directory of package `name` as Node.js finds it from `from`, or undefined. */
export function resolvePackage(from: string, name: string): string | undefined {
  for (let directory = from; ; directory = dirname(directory)) {
    const candidate = join(directory, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    if (dirname(directory) === directory) return undefined;
  }
}

/** The nearest directory above `path` with a package.json, or undefined. */
export function packageRoot(path: string): string | undefined {
  for (let directory = dirname(resolve(path)); ; directory = dirname(directory)) {
    if (existsSync(join(directory, "package.json"))) return directory;
    if (dirname(directory) === directory) return undefined;
  }
}

function scriptInterpreter(path: string): string | undefined {
  const head = Buffer.alloc(256);
  const fd = openSync(path, "r");
  let length = 0;
  try {
    length = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (length < 2 || head[0] !== 0x23 || head[1] !== 0x21) return undefined;
  const line = head.toString("utf8", 2, length).split("\n")[0]?.trim() ?? "";
  const interpreter = line.split(/\s+/)[0];
  return interpreter !== undefined && isAbsolute(interpreter) && existsSync(interpreter) ? interpreter : undefined;
}

/** The libraries and interpreter ldd names for an ELF file; none for a static one. */
function sharedLibraries(path: string): string[] {
  const result = spawnSync("ldd", [path], { encoding: "utf8", timeout: 20_000 });
  if (result.status !== 0) return [];
  const libraries: string[] = [];
  for (const line of result.stdout.split("\n")) {
    const linked = /=>\s+(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (linked?.[1] !== undefined) libraries.push(linked[1]);
  }
  return libraries;
}
