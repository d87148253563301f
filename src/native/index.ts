// native/ owns the addon's contract: mappings, futexes, the clock, affinity, liveness, signals, truncation, declared once.
// It must not hold logic: every other module calls these functions and never touches the binding.

// The one file that loads the native addon and declares its contract. Every
// other module imports these functions from here and never touches the binding.
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/** futexWait results: small integers so waiting allocates nothing. */
export const FutexResult = {
  woken: 0,
  timedOut: 1,
  valueChanged: 2,
  interrupted: 3,
} as const;
export type FutexResult = (typeof FutexResult)[keyof typeof FutexResult];

/** What the addon exports; see native/*.cc for the system calls behind each. */
export interface NativeBinding {
  /**
   * Creates a new file (O_EXCL) of `size` bytes with `mode`, reserves its space (fallocate: error code ENOSPC
   * when the file system has no room) and maps it shared.
   */
  create(path: string, size: number, mode: number): ArrayBuffer;
  /**
   * Maps a whole existing regular file shared; a zero-length file gives an empty buffer. Never through a
   * symbolic link (error code ELOOP); anything but a regular file is refused (code ENOTREG).
   */
  open(path: string, writable: boolean): ArrayBuffer;
  /**
   * Maps `length` bytes of a regular file from a page-aligned `offset`, as `open` does; a window that does not
   * lie inside the file as it is now is refused (code ERANGE).
   */
  mapRegion(path: string, offset: number, length: number, writable: boolean): ArrayBuffer;
  /**
   * The truncation flags (native/truncation.cc), for an Int32Array: word 0 counts this process's mappings that
   * were truncated while mapped (a SIGBUS in them was caught and zero pages mapped over them); word 1 + slot
   * marks each. Reading them is a load, no system call.
   */
  truncationFlags(): ArrayBuffer;
  /** The slot of a mapping in the truncation flags, or -1 for a buffer that is not a mapping of the addon. */
  mappingGuard(buffer: ArrayBuffer): number;
  /** How many of the mapping's bytes its file still holds (fstat), 0..byteLength; -1 if not a live mapping. */
  mappedFileBytes(buffer: ArrayBuffer): number;
  /** Unmaps now and detaches the buffer. */
  unmap(buffer: ArrayBuffer): void;
  unlink(path: string): void;
  /** Sleeps while the 32-bit word at `byteOffset` equals `expected`; timeoutNs < 0 waits forever. */
  futexWait(buffer: ArrayBuffer, byteOffset: number, expected: number, timeoutNs: number): FutexResult;
  /** Wakes up to `count` waiters on the word; returns how many were woken. */
  futexWake(buffer: ArrayBuffer, byteOffset: number, count: number): number;
  /** CLOCK_MONOTONIC in nanoseconds, shared by every process on the host. */
  monotonicNs(): number;
  /** CLOCK_MONOTONIC in nanoseconds into clock[0]: the same clock without a new number per call (for wait loops). */
  monotonicNsInto(clock: Float64Array): void;
  schedYield(): void;
  /** A pidfd for `pid`, or -1 where the kernel has none. */
  pidfdOpen(pid: number): number;
  pidfdAlive(fd: number): boolean;
  closeFd(fd: number): void;
  /** A pipe: [read end, write end], both close-on-exec. */
  pipe(): [number, number];
  /** Whether `pid` exists and has not exited (a zombie has exited). */
  isAlive(pid: number): boolean;
  /** Pins `pid` (0: the calling thread) to `cpus`. */
  setAffinity(pid: number, cpus: readonly number[]): void;
  getAffinity(pid: number): number[];
  /** Records these signals (numbers) in a flag a synchronous loop can poll; chains to the previous handlers. */
  watchSignals(signals: readonly number[]): void;
  /**
   * Fills `target` (six values) with this process's minor and major page faults,
   * voluntary and involuntary context switches, and user and system CPU µs.
   */
  resourceUsage(target: Float64Array): boolean;
  /** The last watched signal received, 0 if none. */
  pendingSignal(): number;
  /** Forgets the last watched signal, once it has been handled. */
  clearPendingSignal(): void;
}

/** An error raised by a failed system call in the addon. */
export interface NativeError extends Error {
  code: string;
  errno: number;
  syscall: string;
}

export function isNativeError(error: unknown): error is NativeError {
  return error instanceof Error && typeof (error as Partial<NativeError>).code === "string";
}

function load(): NativeBinding {
  const require = createRequire(import.meta.url);
  const path = fileURLToPath(new URL("../../build/Release/conflux_native.node", import.meta.url));
  try {
    return require(path) as NativeBinding;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `the native addon is not built (${reason}). Run \`npm install\` (or \`npx node-gyp rebuild\`) in the conflux directory; it needs g++, make and python3.`,
    );
  }
}

export const native: NativeBinding = load();
