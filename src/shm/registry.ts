// The run's name service, like XEMEM's global segment names: a table in a
// segment of its own that maps a segment's name to where it lives (file, offset,
// length). The driver creates it; any process of the run registers and looks up
// names, so cleanup can list every segment. Layout: wire/registry.ts.
//
// Registration is linearizable (docs/wire-format.md, "Registry"): a registrant
// claims a free entry (0→1), writes it, announces it (3), and then scans the
// table. A live entry of the same name, or an announced one at a lower index,
// means it lost; an announced one at a higher index is waited for until it is
// live (lost) or withdrawn. Of two contenders for one name, each announces
// before it scans (sequentially consistent), so at least one sees the other:
// never both win. Releasing bumps the generation before the fields are zeroed
// and after the entry is free, so a reader that copied an entry and finds its
// state and the generation unchanged has read it whole.
import { FutexResult, native } from "../native/index.ts";
import {
  ANNOUNCED_WAIT_MS,
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

/** A torn or changing entry is read again; this many times in a row means something rewrites it on purpose. */
const READ_ATTEMPTS = 1000;

const decoder = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

/** What a registrant's scan of the table found. */
const Contest = { won: 0, lost: 1, wait: 2 } as const;

export class Registry {
  private readonly words: Int32Array;
  private readonly bytes: Uint8Array;
  private readonly generationIndex: number;
  private readonly generationByteOffset: number;
  /** A private copy of one entry: what a reader parses, after checking it was not torn. */
  private readonly copy = new Uint8Array(REGISTRY_ENTRY_SIZE);
  private readonly copyView = new DataView(this.copy.buffer);
  /** The index of the announced contender a contest waits for. */
  private contender = -1;

  private constructor(
    private readonly segment: Segment,
    /** Checked against the segment's size once; never re-read, another process could change the stored one. */
    readonly capacity: number,
  ) {
    this.words = new Int32Array(segment.buffer, segment.payloadOffset, segment.payloadSize >>> 2);
    this.bytes = new Uint8Array(segment.buffer, segment.payloadOffset, segment.payloadSize);
    this.generationIndex = RegistryOffset.generation >>> 2;
    this.generationByteOffset = segment.payloadOffset + RegistryOffset.generation;
  }

  /** Formats a freshly created registry segment. */
  static format(segment: Segment): Registry {
    const view = new DataView(segment.buffer, segment.payloadOffset, segment.payloadSize);
    view.setUint32(RegistryOffset.capacity, REGISTRY_CAPACITY, true);
    view.setUint32(RegistryOffset.entrySize, REGISTRY_ENTRY_SIZE, true);
    return new Registry(segment, REGISTRY_CAPACITY);
  }

  /** Attaches to a registry another process formatted, checking its geometry. */
  static attach(segment: Segment): Registry {
    const view = new DataView(segment.buffer, segment.payloadOffset, segment.payloadSize);
    const capacity = view.getUint32(RegistryOffset.capacity, true);
    const entrySize = view.getUint32(RegistryOffset.entrySize, true);
    if (
      entrySize !== REGISTRY_ENTRY_SIZE ||
      capacity === 0 ||
      REGISTRY_TABLE_OFFSET + capacity * entrySize > segment.payloadSize
    ) {
      throw new Error(
        `registry ${segment.path}: capacity ${capacity} × entry size ${entrySize} does not fit its ${segment.payloadSize}-byte payload; the registry is corrupt or from another conflux release`,
      );
    }
    return new Registry(segment, capacity);
  }

  /**
   * What was overwritten in the registry's geometry since it was attached, in words; undefined when nothing.
   * Every process of the run can write the registry, and only the driver set these words: a component that
   * failed after they changed may have been misled by them, so the driver names the registry, not only it.
   */
  geometryDamage(): string | undefined {
    const view = new DataView(this.segment.buffer, this.segment.payloadOffset, REGISTRY_TABLE_OFFSET);
    const capacity = view.getUint32(RegistryOffset.capacity, true);
    const entrySize = view.getUint32(RegistryOffset.entrySize, true);
    if (capacity !== this.capacity) return `its capacity reads ${capacity}, not the ${this.capacity} it was made with`;
    if (entrySize !== REGISTRY_ENTRY_SIZE)
      return `its entry size reads ${entrySize}, not the ${REGISTRY_ENTRY_SIZE} it was made with`;
    return undefined;
  }

  /** Bumped after every change; waiters sleep on it with a futex. */
  get generation(): number {
    return Atomics.load(this.words, this.generationIndex);
  }

  /** Registers `entry.name`, or throws when the name is taken, or was taken by a contender at the same moment. */
  register(entry: RegistryEntry): void {
    const nameBytes = encodeName(entry.name);
    const fileBytes = encodeName(entry.file, "segment file name");
    if (this.indexOf(nameBytes) >= 0) {
      throw new Error(`segment name "${entry.name}" is already registered in this run; choose another name`);
    }
    const index = this.claimFreeEntry(entry.name);
    const base = this.entryOffset(index);
    const view = new DataView(this.segment.buffer, this.segment.payloadOffset + base, REGISTRY_ENTRY_SIZE);
    view.setUint32(EntryOffset.kind, entry.kind, true);
    view.setBigUint64(EntryOffset.offset, BigInt(entry.offset), true);
    view.setBigUint64(EntryOffset.length, BigInt(entry.length), true);
    view.setUint32(EntryOffset.creatorPid, entry.creatorPid, true);
    view.setUint32(EntryOffset.nameLength, nameBytes.length, true);
    view.setUint32(EntryOffset.fileLength, fileBytes.length, true);
    this.bytes.set(nameBytes, base + EntryOffset.name);
    this.bytes.set(fileBytes, base + EntryOffset.file);
    const state = this.stateIndex(index);
    Atomics.store(this.words, state, EntryState.announced);
    const deadline = native.monotonicNs() + ANNOUNCED_WAIT_MS * 1e6;
    for (;;) {
      const generation = this.generation;
      const verdict = this.contest(index, nameBytes);
      if (verdict === Contest.won) {
        Atomics.store(this.words, state, EntryState.live);
        this.publishChange();
        return;
      }
      if (verdict === Contest.lost) {
        this.release(index, EntryState.announced);
        throw new Error(
          `segment name "${entry.name}" was registered concurrently by another process; choose another name`,
        );
      }
      const remaining = deadline - native.monotonicNs();
      if (remaining <= 0) {
        const pid = this.readWord(this.contender, EntryOffset.creatorPid);
        this.release(index, EntryState.announced);
        throw new Error(
          `segment name "${entry.name}": another registration of it (registry entry ${this.contender}, pid ${pid}) has been announced for ${ANNOUNCED_WAIT_MS} ms without being published or withdrawn; its process may have died while registering. Choose another name, or start the run again.`,
        );
      }
      // Whatever ends the contender's announcement bumps the generation.
      native.futexWait(this.segment.buffer, this.generationByteOffset, generation, Math.min(remaining, 10e6));
    }
  }

  /** Removes a live name (only its registrant should); false when it is not registered. */
  unregister(name: string): boolean {
    const nameBytes = encoder.encode(name);
    for (;;) {
      const index = this.indexOf(nameBytes);
      if (index < 0) return false;
      if (this.release(index, EntryState.live)) return true;
    }
  }

  lookup(name: string): RegistryEntry | undefined {
    const nameBytes = encoder.encode(name);
    for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      const index = this.indexOf(nameBytes);
      if (index < 0) return undefined;
      const entry = this.readEntry(index);
      if (entry !== undefined && entry.name === name) return entry;
    }
    throw new Error(`registry entry "${name}" changed under every one of ${READ_ATTEMPTS} reads`);
  }

  /** Every live entry, in table order. */
  list(): RegistryEntry[] {
    const entries: RegistryEntry[] = [];
    for (let index = 0; index < this.capacity; index++) {
      for (let attempt = 0; attempt < READ_ATTEMPTS && this.stateOf(index) === EntryState.live; attempt++) {
        const entry = this.readEntry(index);
        if (entry === undefined) continue;
        entries.push(entry);
        break;
      }
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
    Atomics.add(this.words, this.generationIndex, 1);
    native.futexWake(this.segment.buffer, this.generationByteOffset, 0x7fffffff);
  }

  private claimFreeEntry(name: string): number {
    for (let index = 0; index < this.capacity; index++) {
      if (
        Atomics.compareExchange(this.words, this.stateIndex(index), EntryState.free, EntryState.writing) ===
        EntryState.free
      ) {
        return index;
      }
    }
    throw new Error(
      `the run's registry is full (${this.capacity} segments); cannot register "${name}". Share fewer, larger segments.`,
    );
  }

  /**
   * The scan of an announced registrant: lost if the name is live elsewhere or announced at a lower index;
   * wait (this.contender set) if it is announced at a higher index only; won otherwise.
   */
  private contest(own: number, nameBytes: Uint8Array): number {
    let verdict: number = Contest.won;
    for (let index = 0; index < this.capacity; index++) {
      if (index === own) continue;
      const state = this.namedState(index, nameBytes);
      if (state === EntryState.live || (state === EntryState.announced && index < own)) return Contest.lost;
      if (state === EntryState.announced) {
        verdict = Contest.wait;
        this.contender = index;
      }
    }
    return verdict;
  }

  /**
   * The state of entry `index` if it is live or announced under `nameBytes`, else free. The name is read
   * between two loads of the state: an entry released and reused meanwhile is read again.
   */
  private namedState(index: number, nameBytes: Uint8Array): number {
    const stateIndex = this.stateIndex(index);
    for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      const state = Atomics.load(this.words, stateIndex);
      if (state !== EntryState.live && state !== EntryState.announced) return EntryState.free;
      const same = this.nameIs(index, nameBytes);
      if (Atomics.load(this.words, stateIndex) === state) return same ? state : EntryState.free;
    }
    return EntryState.free;
  }

  /**
   * Releases entry `index` from state `from` (live, or one's own announcement): compare-and-swap to 1, bump the
   * generation, zero the fields, free it, bump again. False when the entry was not in state `from`.
   */
  private release(index: number, from: number): boolean {
    const stateIndex = this.stateIndex(index);
    if (Atomics.compareExchange(this.words, stateIndex, from, EntryState.writing) !== from) return false;
    this.publishChange();
    const base = this.entryOffset(index);
    this.bytes.fill(0, base + 4, base + REGISTRY_ENTRY_SIZE);
    Atomics.store(this.words, stateIndex, EntryState.free);
    this.publishChange();
    return true;
  }

  private indexOf(nameBytes: Uint8Array): number {
    for (let index = 0; index < this.capacity; index++) {
      if (this.namedState(index, nameBytes) === EntryState.live) return index;
    }
    return -1;
  }

  private nameIs(index: number, nameBytes: Uint8Array): boolean {
    const base = this.entryOffset(index);
    if (this.readWord(index, EntryOffset.nameLength) !== nameBytes.length) return false;
    const at = base + EntryOffset.name;
    for (let offset = 0; offset < nameBytes.length; offset++) {
      if (this.bytes[at + offset] !== nameBytes[offset]) return false;
    }
    return true;
  }

  private stateOf(index: number): number {
    return Atomics.load(this.words, this.stateIndex(index));
  }

  /**
   * Entry `index`, parsed from a private copy taken between two looks at its state and the generation; undefined
   * when it is not live, or changed while it was copied (read it again), or holds a name that is not UTF-8.
   */
  private readEntry(index: number): RegistryEntry | undefined {
    const stateIndex = this.stateIndex(index);
    const generation = this.generation;
    if (Atomics.load(this.words, stateIndex) !== EntryState.live) return undefined;
    const base = this.entryOffset(index);
    this.copy.set(this.bytes.subarray(base, base + REGISTRY_ENTRY_SIZE));
    if (Atomics.load(this.words, stateIndex) !== EntryState.live || this.generation !== generation) return undefined;
    const view = this.copyView;
    const nameLength = Math.min(view.getUint32(EntryOffset.nameLength, true), MAX_NAME_BYTES);
    const fileLength = Math.min(view.getUint32(EntryOffset.fileLength, true), MAX_NAME_BYTES);
    let name: string;
    let file: string;
    try {
      name = decoder.decode(this.copy.subarray(EntryOffset.name, EntryOffset.name + nameLength));
      file = decoder.decode(this.copy.subarray(EntryOffset.file, EntryOffset.file + fileLength));
    } catch {
      throw new Error(`registry entry ${index}: its name or file name is not valid UTF-8; the registry is corrupt`);
    }
    return {
      name,
      file,
      offset: Number(view.getBigUint64(EntryOffset.offset, true)),
      length: Number(view.getBigUint64(EntryOffset.length, true)),
      kind: view.getUint32(EntryOffset.kind, true) as SegmentKind,
      creatorPid: view.getUint32(EntryOffset.creatorPid, true),
    };
  }

  private readWord(index: number, offset: number): number {
    return this.words[(this.entryOffset(index) + offset) >>> 2] as number;
  }

  private stateIndex(index: number): number {
    return (this.entryOffset(index) + EntryOffset.state) >>> 2;
  }

  private entryOffset(index: number): number {
    return REGISTRY_TABLE_OFFSET + index * REGISTRY_ENTRY_SIZE;
  }
}
