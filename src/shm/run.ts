// A run: its directory on tmpfs, its registry, and the segments in it. The
// driver creates the run; components join it from the environment the launcher
// sets. Only the creator removes it, on every exit path.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { isNativeError, native } from "../native/index.ts";
import { ARENA_PAGE } from "../wire/arena.ts";
import { ARENA_VARIABLE, RUN_DIRECTORY_VARIABLE } from "../wire/environment.ts";
import { REGISTRY_PAYLOAD_SIZE } from "../wire/registry.ts";
import { HEADER_SIZE, SegmentKind } from "../wire/segment-header.ts";
import { allocateInArena, checkArena } from "./arena.ts";
import { forgetOnExit, removeOnExit } from "./exit-cleanup.ts";
import { Registry, type RegistryEntry } from "./registry.ts";
import {
  createRunDirectory,
  newRunId,
  newSegmentFileName,
  REGISTRY_FILE,
  readRunOwner,
  removeRunDirectory,
} from "./run-directory.ts";
import { Segment } from "./segment.ts";

export interface RunCreation {
  runId?: string;
  root?: string;
  /** Install SIGINT/SIGTERM/SIGHUP handlers that remove the run (default true). */
  handleSignals?: boolean;
}

export interface SegmentLookup {
  kind?: SegmentKind;
  /** Wait this long for another process to register the name (default: do not wait). */
  timeoutMs?: number;
}

/** A name of a file directly in the run directory: no separator, not "." or "..", nothing invisible. */
function isPlainFileName(file: string): boolean {
  return file.length > 0 && file !== "." && file !== ".." && !/[/\0]/.test(file);
}

export class Run {
  private closed = false;
  private arena: { segment: Segment; file: string } | undefined;

  private constructor(
    readonly id: string,
    readonly directory: string,
    readonly registry: Registry,
    private readonly registrySegment: Segment,
    readonly isOwner: boolean,
    /** In a VM guest: the registry name of the arena new segments go in (CONFLUX_ARENA). */
    private readonly arenaName?: string,
  ) {}

  /** The registry's file, for messages. */
  get registryPath(): string {
    return this.registrySegment.path;
  }

  static create(options: RunCreation = {}): Run {
    const id = options.runId ?? newRunId();
    const directory = createRunDirectory(id, options.root);
    removeOnExit(directory, { handleSignals: options.handleSignals ?? true });
    try {
      const segment = Segment.create({
        path: join(directory, REGISTRY_FILE),
        name: "registry",
        payloadSize: REGISTRY_PAYLOAD_SIZE,
        runId: id,
        kind: SegmentKind.registry,
      });
      return new Run(id, directory, Registry.format(segment), segment, true);
    } catch (error) {
      removeRunDirectory(directory);
      forgetOnExit(directory);
      throw error;
    }
  }

  /** Joins a run another process created; with `arenaName`, the segments this side creates go in that arena. */
  static join(directory: string, arenaName?: string): Run {
    const owner = readRunOwner(directory);
    if (owner === undefined) {
      const reason = existsSync(directory) ? "it has no readable owner file" : "it does not exist";
      throw new Error(`cannot join run ${directory}: ${reason}. Start components through \`conflux run\`.`);
    }
    const segment = Segment.open(join(directory, REGISTRY_FILE), { kind: SegmentKind.registry, runId: owner.runId });
    return new Run(owner.runId, directory, Registry.attach(segment), segment, false, arenaName);
  }

  /** Joins the run named by CONFLUX_RUN_DIR. */
  static fromEnvironment(environment: NodeJS.ProcessEnv = process.env): Run {
    const directory = environment[RUN_DIRECTORY_VARIABLE];
    if (directory === undefined || directory === "") {
      throw new Error(`${RUN_DIRECTORY_VARIABLE} is not set: this component must be started by \`conflux run\`.`);
    }
    return Run.join(directory, environment[ARENA_VARIABLE] || undefined);
  }

  /** Creates a segment under a random file name and registers `name` for it. */
  createSegment(name: string, payloadSize: number, kind: SegmentKind = SegmentKind.raw): Segment {
    this.ensureOpen();
    if (this.arenaName !== undefined) return this.createInArena(this.arenaName, name, payloadSize, kind);
    const file = newSegmentFileName();
    const segment = Segment.create({ path: join(this.directory, file), name, payloadSize, runId: this.id, kind });
    try {
      this.registry.register({
        name,
        file,
        offset: 0,
        length: HEADER_SIZE + payloadSize,
        kind,
        creatorPid: process.pid,
      });
    } catch (error) {
      segment.close();
      native.unlink(segment.path);
      throw error;
    }
    return segment;
  }

  /** Maps the segment registered as `name`, checking that it belongs to this run. */
  openSegment(name: string, lookup: SegmentLookup = {}): Segment {
    this.ensureOpen();
    const entry =
      lookup.timeoutMs === undefined ? this.registry.lookup(name) : this.registry.waitFor(name, lookup.timeoutMs);
    if (entry === undefined) {
      const waited = lookup.timeoutMs === undefined ? "" : ` within ${lookup.timeoutMs} ms`;
      const known = this.registry.list().map((known) => known.name);
      throw new Error(
        `no segment named "${name}" in run ${this.id}${waited}; registered: ${known.length > 0 ? known.join(", ") : "none"}`,
      );
    }
    return this.mapEntry(entry, lookup.kind);
  }

  /** Every segment registered in this run. */
  segments(): RegistryEntry[] {
    return this.registry.list();
  }

  /** Unregisters a segment and removes its file. */
  removeSegment(segment: Segment): void {
    // A segment inside a shared file (an arena) owns no file of its own to remove.
    const ownFile = (this.registry.lookup(segment.name)?.offset ?? 0) === 0;
    this.registry.unregister(segment.name);
    segment.close();
    if (ownFile) native.unlink(segment.path);
  }

  /** The owner removes the whole run; a member only releases its mappings. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.arena?.segment.close();
    this.registrySegment.close();
    if (this.isOwner) {
      removeRunDirectory(this.directory);
      forgetOnExit(this.directory);
    }
  }

  /**
   * In a guest, a file made in the run directory would live in guest memory
   * only (the directory is read-only there): the segment goes in the arena,
   * which host and guest both map.
   */
  private createInArena(arenaName: string, name: string, payloadSize: number, kind: SegmentKind): Segment {
    if (this.arena === undefined) {
      const entry = this.registry.lookup(arenaName);
      if (entry === undefined) {
        throw new Error(
          `${ARENA_VARIABLE} names arena "${arenaName}", which run ${this.id} does not have: run this component in a vm enclave`,
        );
      }
      const arena = this.mapEntry(entry, SegmentKind.arena);
      try {
        checkArena(arena);
      } catch (error) {
        arena.close();
        throw error;
      }
      this.arena = { segment: arena, file: entry.file };
    }
    const { offset, length } = allocateInArena(this.arena.segment, name, payloadSize, kind, this.id);
    const entry: RegistryEntry = { name, file: this.arena.file, offset, length, kind, creatorPid: process.pid };
    const segment = this.mapEntry(entry, kind);
    try {
      this.registry.register(entry);
    } catch (error) {
      segment.close();
      throw error; // its pages stay unused: an arena never gives pages back
    }
    return segment;
  }

  /**
   * Maps what a registry entry points to. Any process of the run can write the registry, so the entry is
   * checked where it is used: a plain file name inside the run directory (no path, no link: the addon opens
   * with O_NOFOLLOW and only regular files), a page-aligned place that lies inside the file as it is now (the
   * addon measures it), and a header there that carries the entry's name.
   */
  private mapEntry(entry: RegistryEntry, kind: SegmentKind | undefined): Segment {
    const where = `registry entry "${entry.name}" of run ${this.id}`;
    if (!isPlainFileName(entry.file)) {
      throw new Error(
        `${where}: file name ${JSON.stringify(entry.file)} is not a file of the run directory; the registry is corrupt`,
      );
    }
    const path = join(this.directory, entry.file);
    const expect = { runId: this.id, ...(kind === undefined ? {} : { kind }) };
    let segment: Segment;
    if (entry.offset === 0) {
      segment = Segment.open(path, expect);
    } else {
      if (
        !Number.isSafeInteger(entry.offset) ||
        !Number.isSafeInteger(entry.length) ||
        entry.offset < 0 ||
        entry.offset % ARENA_PAGE !== 0 ||
        entry.length < HEADER_SIZE
      ) {
        throw new Error(
          `${where}: it places the segment at bytes ${entry.offset}..${entry.offset + entry.length} of ${entry.file}; a segment lies page aligned inside its file and holds at least its header. The registry is corrupt`,
        );
      }
      let buffer: ArrayBuffer;
      try {
        buffer = native.mapRegion(path, entry.offset, entry.length, true);
      } catch (error) {
        if (isNativeError(error) && error.code === "ERANGE") {
          throw new Error(`${where}: ${error.message}; the registry entry is corrupt`);
        }
        throw error;
      }
      segment = Segment.attach(buffer, 0, entry.length, `${path}@${entry.offset}`, expect);
    }
    if (segment.name !== entry.name) {
      segment.close();
      throw new Error(
        `${where} points to ${segment.path}, whose header names it "${segment.name}": the registry entry is corrupt or was changed while it was read`,
      );
    }
    return segment;
  }

  private ensureOpen(): void {
    if (this.closed) throw new Error(`run ${this.id} is closed`);
  }
}
