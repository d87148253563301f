// A VM image: the guest kernel and an initramfs holding busybox, the init
// script, the guest agent and the component with what it needs. Named by the
// SHA-256 of everything in it (paths, modes, link targets, file contents, the
// kernel), built once and kept in a cache, like a container stack. The launch
// itself (arguments, environment, run) travels in the arena, not the image.
import { createHash, randomBytes } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { packagePath } from "../../../platform/package-root.ts";
import { staticProgram } from "../../../platform/static-program.ts";
import { type ArchiveEntry, writeCpioArchive } from "./cpio-archive.ts";
import type { GuestFileSet } from "./guest-files.ts";
import type { GuestKernel } from "./guest-kernel.ts";

export const IMAGE_CACHE_VARIABLE = "CONFLUX_VM_CACHE";
/** Images kept in the cache; the least recently used beyond this are removed. */
const KEEP_IMAGES = 6;
const GUEST_SOURCES = packagePath("guest/");

export interface GuestImage {
  /** SHA-256 of the contents, hex. */
  sha256: string;
  kernel: GuestKernel;
  initramfs: string;
  /** Bytes in the initramfs. */
  bytes: number;
  /** Whether this call built it (false: it came from the cache). */
  built: boolean;
}

export function imageCacheDirectory(environment: NodeJS.ProcessEnv = process.env): string {
  const named = environment[IMAGE_CACHE_VARIABLE];
  if (named !== undefined && named !== "") return named;
  const base = environment.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "conflux", "vm");
}

/** Hashes of host files, by path, size, mtime and inode: hashing node once per process is enough. */
const fileHashes = new Map<string, string>();

function fileHash(path: string): string {
  const status = statSync(path);
  const key = `${path}\0${status.size}\0${status.mtimeMs}\0${status.ino}`;
  let hash = fileHashes.get(key);
  if (hash === undefined) {
    hash = createHash("sha256").update(readFileSync(path)).digest("hex");
    fileHashes.set(key, hash);
  }
  return hash;
}

/** The agent, compiled statically from guest/agent.c, cached by the source's hash. */
export function guestAgent(cache = imageCacheDirectory(), beforeBuilding?: () => void): string {
  return staticProgram({
    ...(beforeBuilding === undefined ? {} : { beforeBuilding }),
    name: "agent",
    purpose: "the guest agent",
    sources: [join(GUEST_SOURCES, "agent.c")],
    flags: ["-O2", "-Wall", "-Wextra", "-std=c11"],
    directory: cache,
  });
}

/** The files every guest has: busybox, the init script and the agent. */
export function addGuestBase(files: GuestFileSet, busybox: string, agent: string): void {
  for (const directory of ["/proc", "/sys", "/dev", "/tmp", "/run", "/root"]) files.directory(directory);
  files.file("/init", join(GUEST_SOURCES, "init"), 0o755);
  files.file("/conflux/busybox", busybox, 0o755);
  files.file("/conflux/agent", agent, 0o755);
}

function manifestLine(entry: ArchiveEntry): string {
  if (entry.type === "directory") return `d ${entry.mode.toString(8)} ${entry.path}`;
  if (entry.type === "symlink") return `l ${entry.path} -> ${entry.target}`;
  return `f ${entry.mode.toString(8)} ${fileHash(entry.source)} ${entry.path}`;
}

/** Builds the image for these files and kernel, or finds it in the cache; `beforeWriting` is called before a build. */
export function guestImage(
  files: GuestFileSet,
  kernel: GuestKernel,
  cache = imageCacheDirectory(),
  beforeWriting?: () => void,
): GuestImage {
  const entries = files.list();
  const manifest = [`kernel ${fileHash(kernel.path)} ${kernel.release}`, ...entries.map(manifestLine)].join("\n");
  const sha256 = createHash("sha256").update(manifest).digest("hex");
  const directory = join(cache, `image-${sha256}`);
  const initramfs = join(directory, "initramfs.cpio");
  try {
    const bytes = statSync(initramfs).size;
    const now = new Date();
    utimesSync(directory, now, now);
    return { sha256, kernel, initramfs, bytes, built: false };
  } catch {
    // not in the cache
  }
  beforeWriting?.();
  // Built beside its final place and renamed into it, so concurrent builders never see half an image.
  const partial = `${directory}.${randomBytes(4).toString("hex")}.partial`;
  mkdirSync(partial, { recursive: true });
  try {
    writeCpioArchive(join(partial, "initramfs.cpio"), entries);
    writeFileSync(join(partial, "manifest.txt"), `${manifest}\n`);
    try {
      renameSync(partial, directory);
    } catch {
      // Another process built the same image meanwhile: use theirs.
      rmSync(partial, { recursive: true, force: true });
    }
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    throw error;
  }
  evictOldImages(cache);
  return { sha256, kernel, initramfs, bytes: statSync(initramfs).size, built: true };
}

/** An image in the cache, as `conflux vm ls` lists it. */
export interface StoredImage {
  sha256: string;
  directory: string;
  /** Bytes in the initramfs. */
  bytes: number;
  /** How many regular files it holds. */
  files: number;
}

/** The images in the cache, in directory order; none when there is no cache yet. */
export function storedImages(cache = imageCacheDirectory()): StoredImage[] {
  const names = existsSync(cache) ? readdirSync(cache).filter((name) => /^image-[0-9a-f]{64}$/.test(name)) : [];
  return names.map((name) => {
    const directory = join(cache, name);
    const manifest = readFileSync(join(directory, "manifest.txt"), "utf8").split("\n");
    return {
      sha256: name.slice("image-".length),
      directory,
      bytes: statSync(join(directory, "initramfs.cpio")).size,
      files: manifest.filter((line) => line.startsWith("f ")).length,
    };
  });
}

function evictOldImages(cache: string): void {
  const images = readdirSync(cache)
    .filter((name) => name.startsWith("image-") && !name.endsWith(".partial"))
    .map((name) => ({ path: join(cache, name), time: statSync(join(cache, name)).mtimeMs }))
    .sort((a, b) => b.time - a.time);
  for (const old of images.slice(KEEP_IMAGES)) rmSync(old.path, { recursive: true, force: true });
}
