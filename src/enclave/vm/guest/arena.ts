// enclave/vm/guest/ owns what the host and a running guest's agent say: the arena's agent words, launch records, console frames.
// It must not build images or start QEMU (image/, qemu/); the guest's side of each protocol is guest/agent.c.

// The arena: one file a VM maps as ivshmem memory at boot. A guest cannot map a
// file created after it booted, so the segments it creates itself live inside
// this file, at (file, offset, length) registry entries; the first page also
// carries the launch (for the guest agent) and the agent's reports (state,
// exit code, heartbeat), which the host reads without any system call.
// Layout: docs/vm.md ("Arena", version 1), in wire/arena.ts; the clients'
// allocation of segments in it is shm/arena.ts.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { native } from "../../../native/index.ts";
import { Segment } from "../../../shm/segment.ts";
import {
  AGENT_KERNEL_BYTES,
  type AgentState,
  ARENA_LAYOUT_VERSION,
  ARENA_PAGE,
  ArenaOffset,
  LAUNCH_OFFSET,
} from "../../../wire/arena.ts";
import { HEADER_SIZE, SegmentKind } from "../../../wire/segment-header.ts";

export interface ArenaCreation {
  /** The directory the file goes in (the run's, so the registry can name it). */
  directory: string;
  /** The file's name in that directory (see arenaFileName). */
  fileName: string;
  /** The header's name, e.g. "solver.arena". */
  name: string;
  runId: string;
  /** A power of two (a PCI BAR is one), at least 64 KiB. */
  sizeBytes: number;
  /** The encoded launch (see launch-records.ts). */
  launch: Uint8Array;
}

export interface AgentReport {
  state: AgentState;
  /** ≥ 0: the exit code; < 0: minus the signal number. Valid once state is ended. */
  exit: number;
  heartbeat: number;
  componentPid: number;
  /** Guest uptime, in ms, when the component was started. */
  bootMs: number;
  /** The guest kernel's release (uname -r), once the agent runs. */
  kernel: string;
}

const decoder = new TextDecoder();

/** A random file name, like a segment's: names inside a run are never guessable. */
export function arenaFileName(): string {
  return `arena-${randomBytes(6).toString("hex")}`;
}

export class Arena {
  private readonly words: Int32Array;

  private constructor(
    readonly path: string,
    readonly fileName: string,
    readonly segment: Segment,
  ) {
    this.words = new Int32Array(segment.buffer, 0, ARENA_PAGE / 4);
  }

  static create(spec: ArenaCreation): Arena {
    const size = spec.sizeBytes;
    if (!Number.isSafeInteger(size) || size < 65536 || (size & (size - 1)) !== 0) {
      throw new RangeError(`an arena's size must be a power of two of at least 64 KiB, got ${size}`);
    }
    const launchPages = Math.ceil(spec.launch.length / ARENA_PAGE) + 1;
    if ((1 + launchPages + 1) * ARENA_PAGE > size) {
      throw new RangeError(`the launch (${spec.launch.length} bytes) does not fit an arena of ${size} bytes`);
    }
    const fileName = spec.fileName;
    const path = join(spec.directory, fileName);
    const segment = Segment.create({
      path,
      name: spec.name,
      payloadSize: size - HEADER_SIZE,
      runId: spec.runId,
      kind: SegmentKind.arena,
    });
    const arena = new Arena(path, fileName, segment);
    const view = new DataView(segment.buffer);
    new Uint8Array(segment.buffer, LAUNCH_OFFSET, spec.launch.length).set(spec.launch);
    view.setUint32(ArenaOffset.pageSize, ARENA_PAGE, true);
    view.setUint32(ArenaOffset.pageCount, size / ARENA_PAGE, true);
    view.setUint32(ArenaOffset.nextFreePage, 1 + launchPages, true);
    view.setUint32(ArenaOffset.launchOffset, LAUNCH_OFFSET, true);
    view.setUint32(ArenaOffset.launchLength, spec.launch.length, true);
    Atomics.store(arena.words, ArenaOffset.version / 4, ARENA_LAYOUT_VERSION);
    return arena;
  }

  /** What the guest agent has reported so far; allocation-free reads of shared words but the kernel string. */
  report(): AgentReport {
    const kernelBytes = new Uint8Array(this.segment.buffer, ArenaOffset.agentKernel, AGENT_KERNEL_BYTES);
    const end = kernelBytes.indexOf(0);
    return {
      state: this.state(),
      exit: Atomics.load(this.words, ArenaOffset.agentExit / 4),
      heartbeat: this.heartbeat(),
      componentPid: Atomics.load(this.words, ArenaOffset.agentComponentPid / 4),
      bootMs: Atomics.load(this.words, ArenaOffset.agentBootMs / 4),
      kernel: decoder.decode(kernelBytes.subarray(0, end < 0 ? AGENT_KERNEL_BYTES : end)),
    };
  }

  state(): AgentState {
    return Atomics.load(this.words, ArenaOffset.agentState / 4) as AgentState;
  }

  heartbeat(): number {
    return Atomics.load(this.words, ArenaOffset.agentHeartbeat / 4);
  }

  close(): void {
    this.segment.close();
  }

  /** Unmaps and removes the file (for an arena outside any run). */
  remove(): void {
    this.segment.close();
    native.unlink(this.path);
  }
}
