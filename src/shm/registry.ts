// The run's name service, like XEMEM's global segment names: a table in a
// segment of its own that maps a segment's name to where it lives (file, offset,
// length). The driver creates it; any process of the run registers and looks up
// names, so cleanup can list every segment. Layout: wire/registry.ts.
import { FutexResult, native } from "../native/index.ts";
import {
  EntryOffset,
  EntryState,
  REGISTRY_CAPACITY,
  REGISTRY_ENTRY_SIZE,
  REGISTRY_TABLE_OFFSET,
  RegistryOffset,
} from "../wire/registry.ts";
import { encodeName, MAX_NAME_BYTES, type SegmentKind } from "../wire/segment-header.ts";
import type { Segment } from "./segment.ts";

export interface RegistryEntry {
  name: string;
  /** File name inside the run directory (or the arena file). */
  file: string;
  /** Where the segment's header starts in that file. */
  offset: number;
  /** Header plus payload, in bytes. */
  length: number;
  kind: SegmentKind;
  creatorPid: number;
}

const decoder = new TextDecoder();

export class Registry {
  private readonly words: Int32Array;
  private readonly view: DataView;
  private readonly generationByteOffset: number;

  private constructor(private readonly segment: Segment) {
    this.words = new Int32Array(segment.buffer, segment.payloadOffset, segment.payloadSize >>> 2);
    this.view = new DataView(segment.buffer, segment.payloadOffset, segment.payloadSize);
    this.generationByteOffset = segment.payloadOffset + RegistryOffset.generation;
  }

  /** Formats a freshly created registry segment. */
  static format(segment: Segment): Registry {
    const registry = new Registry(segment);
    registry.view.setUint32(RegistryOffset.capacity, REGISTRY_CAPACITY, true);
    registry.view.setUint32(RegistryOffset.entrySize, REGISTRY_ENTRY_SIZE, true);
    return registry;
  }

  /** Attaches to a registry another process formatted, checking its geometry. */
  static attach(segment: Segment): Registry {
    const registry = new Registry(segment);
    const capacity = registry.view.getUint32(RegistryOffset.capacity, true);
    const entrySize = registry.view.getUint32(RegistryOffset.entrySize, true);
    if (
      entrySize !== REGISTRY_ENTRY_SIZE ||
      capacity === 0 ||
      REGISTRY_TABLE_OFFSET + capacity * entrySize > segment.payloadSize
    ) {
      throw new Error(
        `registry ${segment.path}: capacity ${capacity} × entry size ${entrySize} does not fit its ${segment.payloadSize}-byte payload; the registry is corrupt or from another conflux release`,
      );
    }
    return registry;
  }

  get capacity(): number {
    return this.view.getUint32(RegistryOffset.capacity, true);
  }

  /** Bumped after every change; waiters sleep on it with a futex. */
  get generation(): number {
    return Atomics.load(this.words, RegistryOffset.generation >>> 2);
  }

  register(entry: RegistryEntry): void {
    const nameBytes = encodeName(entry.name);
    const fileBytes = encodeName(entry.file, "segment file name");
    if (this.lookup(entry.name) !== undefined) {
      throw new Error(`segment name "${entry.name}" is already registered in this run; choose another name`);
    }
    const index = this.claimFreeEntry(entry.name);
    const base = this.entryOffset(index);
    this.view.setUint32(base + EntryOffset.kind, entry.kind, true);
    this.view.setBigUint64(base + EntryOffset.offset, BigInt(entry.offset), true);
    this.view.setBigUint64(base + EntryOffset.length, BigInt(entry.length), true);
    this.view.setUint32(base + EntryOffset.creatorPid, entry.creatorPid, true);
    this.view.setUint32(base + EntryOffset.nameLength, nameBytes.length, true);
    this.view.setUint32(base + EntryOffset.fileLength, fileBytes.length, true);
    this.bytesAt(base + EntryOffset.name, MAX_NAME_BYTES).set(nameBytes);
    this.bytesAt(base + EntryOffset.file, MAX_NAME_BYTES).set(fileBytes);
    Atomics.store(this.words, (base + EntryOffset.state) >>> 2, EntryState.live);
    // Two processes may have registered the same name at once: the lower index wins.
    const winner = this.indexOf(entry.name);
    if (winner !== index) {
      this.release(index);
      throw new Error(
        `segment name "${entry.name}" was registered concurrently by another process; choose another name`,
      );
    }
    this.publishChange();
  }

  unregister(name: string): boolean {
    const index = this.indexOf(name);
    if (index < 0) return false;
    this.release(index);
    this.publishChange();
    return true;
  }

  lookup(name: string): RegistryEntry | undefined {
    const index = this.indexOf(name);
    return index < 0 ? undefined : this.readEntry(index);
  }

  /** Every live entry, in table order. */
  list(): RegistryEntry[] {
    const entries: RegistryEntry[] = [];
    for (let index = 0; index < this.capacity; index++) {
      if (this.stateOf(index) === EntryState.live) entries.push(this.readEntry(index));
    }
    return entries;
  }

  /**
   * Waits until `name` is registered (by any process) or `timeoutMs` passes.
   * Sleeps on the generation word, so it costs nothing while nothing changes.
   */
  waitFor(name: string, timeoutMs: number): RegistryEntry | undefined {
    const deadline = native.monotonicNs() + timeoutMs * 1e6;
    for (;;) {
      const generation = this.generation;
      const entry = this.lookup(name);
      if (entry !== undefined) return entry;
      const remaining = deadline - native.monotonicNs();
      if (remaining <= 0) return undefined;
      const result = native.futexWait(this.segment.buffer, this.generationByteOffset, generation, remaining);
      if (result === FutexResult.timedOut) return this.lookup(name);
    }
  }

  private publishChange(): void {
    Atomics.add(this.words, RegistryOffset.generation >>> 2, 1);
    native.futexWake(this.segment.buffer, this.generationByteOffset, 0x7fffffff);
  }

  private claimFreeEntry(name: string): number {
    for (let index = 0; index < this.capacity; index++) {
      const stateWord = (this.entryOffset(index) + EntryOffset.state) >>> 2;
      if (Atomics.compareExchange(this.words, stateWord, EntryState.free, EntryState.writing) === EntryState.free) {
        return index;
      }
    }
    throw new Error(
      `the run's registry is full (${this.capacity} segments); cannot register "${name}". Share fewer, larger segments.`,
    );
  }

  private release(index: number): void {
    const base = this.entryOffset(index);
    this.bytesAt(base + 4, REGISTRY_ENTRY_SIZE - 4).fill(0);
    Atomics.store(this.words, (base + EntryOffset.state) >>> 2, EntryState.free);
  }

  private indexOf(name: string): number {
    for (let index = 0; index < this.capacity; index++) {
      if (this.stateOf(index) === EntryState.live && this.readName(index) === name) return index;
    }
    return -1;
  }

  private stateOf(index: number): number {
    return Atomics.load(this.words, (this.entryOffset(index) + EntryOffset.state) >>> 2);
  }

  private readName(index: number): string {
    const base = this.entryOffset(index);
    const length = Math.min(this.view.getUint32(base + EntryOffset.nameLength, true), MAX_NAME_BYTES);
    return decoder.decode(this.bytesAt(base + EntryOffset.name, length));
  }

  private readEntry(index: number): RegistryEntry {
    const base = this.entryOffset(index);
    const fileLength = Math.min(this.view.getUint32(base + EntryOffset.fileLength, true), MAX_NAME_BYTES);
    return {
      name: this.readName(index),
      file: decoder.decode(this.bytesAt(base + EntryOffset.file, fileLength)),
      offset: Number(this.view.getBigUint64(base + EntryOffset.offset, true)),
      length: Number(this.view.getBigUint64(base + EntryOffset.length, true)),
      kind: this.view.getUint32(base + EntryOffset.kind, true) as SegmentKind,
      creatorPid: this.view.getUint32(base + EntryOffset.creatorPid, true),
    };
  }

  private entryOffset(index: number): number {
    return REGISTRY_TABLE_OFFSET + index * REGISTRY_ENTRY_SIZE;
  }

  private bytesAt(offset: number, length: number): Uint8Array {
    return new Uint8Array(this.segment.buffer, this.segment.payloadOffset + offset, length);
  }
}
