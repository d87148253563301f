// Where built stacks live, one directory each, named by hash:
//   <stacks>/<hash>/rootfs       the root filesystem a container sees
//   <stacks>/<hash>/stack.json   its manifest (what it was built from, what it holds)
//   <stacks>/bases/<hash>/rootfs debootstrap's output, shared by stacks that differ only in files
//   <stacks>/names/<name>        a symlink to ../<hash>: the name a composition uses
// The directory is $CONFLUX_STACKS, else ~/.cache/conflux/stacks.
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, join, relative } from "node:path";

export const STACKS_VARIABLE = "CONFLUX_STACKS";
export const MANIFEST_FILE = "stack.json";

export interface StackManifest {
  format: number;
  name: string;
  hash: string;
  base: string;
  release: string;
  architecture: string;
  mirror: string;
  packages: string[];
  files: { to: string; mode: number; sha256: string }[];
  /** Every Debian package in the tree, with its version, from dpkg's database. */
  installed: { package: string; version: string }[];
  spec: string;
  builtUnixMs: number;
  /**
   * The OCI image digest (docs/bundles.md): computed by the build (the image `conflux stack export` and
   * `conflux pack` write of it), carried by a bundle it was installed from, or an imported image's own.
   */
  imageDigest?: string;
  /** A stack imported from an image (conflux stack import): where from, and the image's ID (its config's sha256). */
  image?: { source: string; format: string; reference?: string; configDigest: string };
}

export interface StoredStack {
  manifest: StackManifest;
  /** The names that point at it. */
  names: string[];
  directory: string;
}

export function stacksDirectory(): string {
  const configured = process.env[STACKS_VARIABLE];
  if (configured !== undefined && configured !== "") return configured;
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(cache, "conflux", "stacks");
}

export function stackDirectory(hash: string, directory = stacksDirectory()): string {
  return join(directory, hash);
}

export function baseDirectory(hash: string, directory = stacksDirectory()): string {
  return join(directory, "bases", hash);
}

export function nameLink(name: string, directory = stacksDirectory()): string {
  return join(directory, "names", name);
}

/** Points the name `name` at the stack `hash` (replacing what it named), atomically: a reader sees one or the other. */
export function linkStackName(name: string, hash: string, directory = stacksDirectory()): void {
  const link = nameLink(name, directory);
  mkdirSync(dirname(link), { recursive: true });
  const temporary = `${link}.${process.pid}.tmp`;
  rmSync(temporary, { force: true });
  symlinkSync(relative(dirname(link), stackDirectory(hash, directory)), temporary);
  renameSync(temporary, link);
}

/** Where the stack called `name` is, and its hash when it has been built. */
export function resolveStack(name: string, directory = stacksDirectory()): { rootfs: string; hash?: string } {
  const link = nameLink(name, directory);
  try {
    const hash = basename(readlinkSync(link));
    return { rootfs: join(directory, hash, "rootfs"), hash };
  } catch {
    return { rootfs: join(link, "rootfs") };
  }
}

export function readManifest(stackPath: string): StackManifest | undefined {
  try {
    return JSON.parse(readFileSync(join(stackPath, MANIFEST_FILE), "utf8")) as StackManifest;
  } catch {
    return undefined;
  }
}

export function listStacks(directory = stacksDirectory()): StoredStack[] {
  const names = new Map<string, string[]>();
  for (const name of entries(join(directory, "names"))) {
    try {
      const hash = basename(readlinkSync(nameLink(name, directory)));
      names.set(hash, [...(names.get(hash) ?? []), name]);
    } catch {
      // not a link: not ours
    }
  }
  const stacks: StoredStack[] = [];
  for (const entry of entries(directory)) {
    if (!/^[0-9a-f]{64}$/.test(entry)) continue;
    const manifest = readManifest(join(directory, entry));
    if (manifest === undefined) continue;
    stacks.push({ manifest, names: (names.get(entry) ?? []).sort(), directory: join(directory, entry) });
  }
  return stacks.sort((a, b) => a.manifest.builtUnixMs - b.manifest.builtUnixMs);
}

/**
 * Removes the stack a name or a hash (or a hash's first characters, when only
 * one stack has them) designates, the names that point at it, and its base
 * when no other stack uses that. Returns what it removed.
 */
export function removeStack(nameOrHash: string, directory = stacksDirectory()): StoredStack {
  const stacks = listStacks(directory);
  let found = stacks.filter((stack) => stack.names.includes(nameOrHash));
  if (found.length === 0 && /^[0-9a-f]{4,64}$/.test(nameOrHash)) {
    found = stacks.filter((stack) => stack.manifest.hash.startsWith(nameOrHash));
  }
  if (found.length === 0) {
    const known = stacks.flatMap((stack) => stack.names).join(", ");
    throw new Error(
      `no stack is called or hashed ${nameOrHash} in ${directory}${known === "" ? " (it holds none)" : `; its stacks: ${known}`}`,
    );
  }
  if (found.length > 1)
    throw new Error(`${nameOrHash} is the start of ${found.length} stacks' hashes; give more of it`);
  const stack = found[0] as StoredStack;
  for (const name of stack.names) rmSync(nameLink(name, directory), { force: true });
  rmSync(stack.directory, { recursive: true, force: true });
  const baseStillUsed = stacks.some((other) => other !== stack && other.manifest.base === stack.manifest.base);
  if (!baseStillUsed) rmSync(baseDirectory(stack.manifest.base, directory), { recursive: true, force: true });
  return stack;
}

function entries(directory: string): string[] {
  if (!existsSync(directory)) return [];
  try {
    return readdirSync(directory);
  } catch {
    return [];
  }
}
