// `conflux stack build`: from a spec to a stored stack. Nothing is built twice:
// a stack whose hash is stored is reused as it is, and a base (debootstrap's
// part) is shared by every stack with the same release and packages, so only
// the copied files are redone when they change. Trees are assembled in a
// staging directory and renamed into place, so a stored stack is always whole;
// a build that fails or is interrupted leaves nothing behind.
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { native } from "../native/index.ts";
import { withBuildLock } from "./build-lock.ts";
import { debianMirror } from "./debian-mirror.ts";
import { debootstrap } from "./debootstrap.ts";
import { installedPackages } from "./dpkg-status.ts";
import { debianArchitecture, STACK_FORMAT, type StackIdentity, stackIdentity } from "./stack-hash.ts";
import { stackImageDigest } from "./stack-image.ts";
import { type LoadedStackSpec, loadStackSpec, StackSpecError } from "./stack-spec.ts";
import {
  baseDirectory,
  linkStackName,
  MANIFEST_FILE,
  readManifest,
  type StackManifest,
  stackDirectory,
  stacksDirectory,
} from "./stack-store.ts";

export interface BuildOptions {
  directory?: string;
  mirror?: string;
  /** Progress: what the build is doing, and debootstrap's lines. */
  onLine?(line: string): void;
}

export interface BuildResult {
  manifest: StackManifest;
  directory: string;
  /** The stack was stored already: nothing was built. */
  cached: boolean;
  /** debootstrap did not run: the base was stored already. */
  baseCached: boolean;
}

const BASE_MARKER = "base.json";

export async function buildStack(specPath: string, options: BuildOptions = {}): Promise<BuildResult> {
  const loaded = loadStackSpec(specPath);
  const identity = stackIdentity(loaded.spec);
  const directory = options.directory ?? stacksDirectory();
  const target = stackDirectory(identity.hash, directory);
  const stored = readManifest(target);
  if (stored !== undefined) {
    linkStackName(loaded.spec.name, identity.hash, directory);
    const manifest = await withImageDigest(target, stored, options);
    return { manifest, directory: target, cached: true, baseCached: true };
  }
  mkdirSync(directory, { recursive: true });
  // Another build of the same stack may be under way: wait for it, then reuse what it stored.
  return withBuildLock(
    directory,
    identity.hash,
    () => buildUnlocked(loaded, identity, directory, target, options),
    (pid) => options.onLine?.(`waiting for another build of the same stack (pid ${pid}) to finish`),
  );
}

async function buildUnlocked(
  loaded: LoadedStackSpec,
  identity: StackIdentity,
  directory: string,
  target: string,
  options: BuildOptions,
): Promise<BuildResult> {
  const stored = readManifest(target);
  if (stored !== undefined) {
    linkStackName(loaded.spec.name, identity.hash, directory);
    return { manifest: stored, directory: target, cached: true, baseCached: true };
  }
  removeAbandonedStaging(directory);
  const mirror = options.mirror ?? debianMirror();
  const staging = new Staging(directory);
  try {
    const base = baseDirectory(identity.base, directory);
    const baseCached = existsSync(join(base, BASE_MARKER));
    if (!baseCached) await buildBase(loaded, identity, base, mirror, staging, options);
    options.onLine?.(`copying the base and ${identity.files.length} file(s) into the stack`);
    const tree = staging.make("stack");
    // Hard links: the base's files are shared, not copied; a copied-in file replaces its link.
    run("cp", ["-a", "-l", join(base, "rootfs"), join(tree, "rootfs")]);
    for (const file of identity.files) copyInto(join(tree, "rootfs"), file.from, file.to, file.mode);
    const manifest: StackManifest = {
      format: STACK_FORMAT,
      name: loaded.spec.name,
      hash: identity.hash,
      base: identity.base,
      release: loaded.spec.release,
      architecture: debianArchitecture(),
      mirror,
      packages: identity.packages,
      files: identity.files.map((file) => ({ to: file.to, mode: file.mode, sha256: file.sha256 })),
      installed: installedPackages(join(tree, "rootfs")),
      spec: loaded.source,
      builtUnixMs: Date.now(),
    };
    writeFileSync(join(tree, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    if (!moveIntoPlace(tree, target)) options.onLine?.("another build stored the same stack meanwhile; using it");
    linkStackName(loaded.spec.name, identity.hash, directory);
    const placed = await withImageDigest(target, readManifest(target) ?? manifest, options);
    return { manifest: placed, directory: target, cached: false, baseCached };
  } finally {
    staging.remove();
  }
}

async function buildBase(
  loaded: LoadedStackSpec,
  identity: StackIdentity,
  base: string,
  mirror: string,
  staging: Staging,
  options: BuildOptions,
): Promise<void> {
  const { release } = loaded.spec;
  const packages = identity.packages.length === 0 ? "no extra packages" : identity.packages.join(", ");
  options.onLine?.(`debootstrap: Debian ${release} (minbase) with ${packages} from ${mirror}`);
  const tree = staging.make("base");
  await debootstrap({
    release,
    packages: identity.packages,
    target: join(tree, "rootfs"),
    mirror,
    ...(options.onLine === undefined ? {} : { onLine: options.onLine }),
  });
  // debootstrap leaves its downloads behind; a stack never needs them.
  rmSync(join(tree, "rootfs/var/cache/apt/archives"), { recursive: true, force: true });
  mkdirSync(join(tree, "rootfs/var/cache/apt/archives/partial"), { recursive: true });
  writeFileSync(join(tree, BASE_MARKER), `${JSON.stringify({ release, packages: identity.packages, mirror })}\n`);
  mkdirSync(dirname(base), { recursive: true });
  moveIntoPlace(tree, base);
}

/** Copies one file to `to` inside `rootfs`, refusing a path that a symlink would carry out of the tree. */
function copyInto(rootfs: string, from: string, to: string, mode: number): void {
  const destination = join(rootfs, to);
  const parent = dirname(destination);
  mkdirSync(parent, { recursive: true });
  const realRoot = realpathSync(rootfs);
  const realParent = realpathSync(parent);
  if (realParent !== realRoot && !realParent.startsWith(`${realRoot}/`)) {
    throw new StackSpecError(
      `files: ${to} lies under a symlink that leads out of the stack (to ${realParent}); copy it to the link's target inside the stack instead`,
    );
  }
  rmSync(destination, { force: true });
  copyFileSync(from, destination);
  chmodSync(destination, mode);
}

/** Renames `from` to `to`; false when `to` exists already (a concurrent build won: ours is dropped). */
function moveIntoPlace(from: string, to: string): boolean {
  try {
    renameSync(from, to);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST" || code === "ENOTEMPTY") return false;
    throw error;
  }
}

/** Points names/<name> at the stack, replacing what it pointed at (atomically: a rename). */
function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { encoding: "utf8" });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed: ${(result.stderr || result.error?.message || "").trim()}`);
  }
}

/**
 * Staging directories, `.build-<pid>-<what>` in the stacks directory, removed
 * when the build ends, on this process's exit and on SIGINT, SIGTERM or SIGHUP.
 */
class Staging {
  private readonly paths: string[] = [];
  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.remove();
    process.kill(process.pid, signal);
  };
  private readonly onExit = () => this.remove();

  constructor(private readonly directory: string) {
    process.once("exit", this.onExit);
    for (const signal of SIGNALS) process.once(signal, this.onSignal);
  }

  make(what: string): string {
    const path = join(this.directory, `.build-${process.pid}-${what}`);
    rmSync(path, { recursive: true, force: true });
    mkdirSync(path);
    this.paths.push(path);
    return path;
  }

  remove(): void {
    for (const path of this.paths.splice(0)) rmSync(path, { recursive: true, force: true });
    process.removeListener("exit", this.onExit);
    for (const signal of SIGNALS) process.removeListener(signal, this.onSignal);
  }
}

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** A build killed with SIGKILL leaves its staging directory; its pid tells whether it still runs. */
function removeAbandonedStaging(directory: string): void {
  for (const name of readdirSync(directory)) {
    const pid = Number(/^\.build-(\d+)-/.exec(name)?.[1] ?? 0);
    if (pid > 0 && pid !== process.pid && !native.isAlive(pid)) {
      rmSync(join(directory, name), { recursive: true, force: true });
    }
  }
}

/**
 * The stack's manifest with its image digest, which names it in run records and bundles, here and wherever
 * its bundle goes: computed once (one pass over the tree, nothing written) and kept in the manifest. A stack
 * stored before digests were kept gets its own the next time it is built (found stored).
 */
async function withImageDigest(target: string, manifest: StackManifest, options: BuildOptions): Promise<StackManifest> {
  if (manifest.imageDigest !== undefined) return manifest;
  options.onLine?.("computing the stack's OCI image digest");
  const imageDigest = await stackImageDigest({ manifest, names: [], directory: target });
  const withDigest = { ...manifest, imageDigest };
  writeManifest(target, withDigest);
  return withDigest;
}

/** Replaces a stored stack's manifest whole: written beside it, then renamed over it. */
function writeManifest(stack: string, manifest: StackManifest): void {
  const staged = join(stack, `${MANIFEST_FILE}.${process.pid}`);
  writeFileSync(staged, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(staged, join(stack, MANIFEST_FILE));
}
