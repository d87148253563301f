// native/ owns the addon's contract: mappings, futexes, the clock, affinity, liveness, signals, truncation, numeric kernels, declared once.
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

  // The transfer operators' numeric kernels (native/numeric-kernels.cc); src/mapping calls them
  // and keeps its own TypeScript loops as the reference they are tested against.

  /**
   * The weights (t × s, row-major, into `weights`) of an RBF-PU patch's interpolant with linear
   * polynomial at its t receiving points, for a positive definite kernel (`kernelKind` 0–4 of
   * KERNEL_NAMES); `frame` is [dimension, centre x, y, z, scale] of the polynomial. With `given`,
   * `schur` holds S⁺ (q × q) to use. Returns 0, or 1 when S is ill-conditioned (S is then in
   * `schur`, for the caller's pseudo-inverse), or 2 + the row at which Φ was not positive definite.
   */
  patchWeights(
    sources: Float64Array,
    sourceCount: number,
    targets: Float64Array,
    targetCount: number,
    kernelKind: number,
    radius: number,
    frame: Float64Array,
    weights: Float64Array,
    schur: Float64Array,
    given: boolean,
  ): number;
  /** Factors the envelope matrix in place (`threads` on its row updates); -1, or the row whose pivot (in `pivot[0]`) is not positive. */
  envelopeFactor(
    values: Float64Array,
    starts: Int32Array,
    origins: Int32Array,
    threads: number,
    pivot: Float64Array,
  ): number;
  /** x = A⁻¹ b with an envelope factor (b and x may be the same). */
  envelopeSolve(values: Float64Array, starts: Int32Array, origins: Int32Array, b: Float64Array, x: Float64Array): void;
  /** target[i] = source[partners[i]], on `threads` threads. */
  gather(source: Float64Array, target: Float64Array, partners: Int32Array, threads: number): void;
  /** target = W source for compressed rows W, on `threads` threads (rows split by entries). */
  sparseMultiply(
    rowPointers: Int32Array,
    columns: Int32Array,
    weights: Float64Array,
    source: Float64Array,
    target: Float64Array,
    threads: number,
  ): void;
  /**
   * Builds positions [lo, hi) of a k-d tree (mapping/spatial/kd-tree.ts's arrays) down to the
   * leaves, or `levels` levels deep (levels ≥ 0), writing the ranges left into `pending`; returns
   * how many ranges it wrote.
   */
  kdTreeBuild(
    coordinates: Float64Array,
    ids: Int32Array,
    splitAxes: Uint8Array,
    bucketSize: number,
    lo: number,
    hi: number,
    levels: number,
    pending: Int32Array | null,
  ): number;
  /**
   * Nearest tree point for the query points visited in `order`, chunks [firstChunk, endChunk) of
   * `chunk` steps, each query starting from its predecessor's answer within its chunk; point i's
   * axis a is queries[i · pointStride + a · axisStride].
   */
  kdTreeNearest(
    coordinates: Float64Array,
    ids: Int32Array,
    splitAxes: Uint8Array,
    bucketSize: number,
    queries: Float64Array,
    dimension: number,
    pointStride: number,
    axisStride: number,
    order: Int32Array,
    partners: Int32Array,
    firstChunk: number,
    endChunk: number,
    chunk: number,
  ): void;
  /**
   * A handle on an RBF-PU setup's patches and coverage (mapping/operators/rbf-pu-assembly.ts), for
   * blendRows and rowLengths; it keeps the arrays alive while it lives.
   */
  rowAssembly(
    sourceStarts: Int32Array,
    sources: Int32Array,
    coverageStarts: Int32Array,
    coveragePatches: Int32Array,
    coverageRows: Int32Array,
    coverageWeights: Float64Array,
    weightSums: Float64Array,
    sourceOrder: Int32Array,
    targetOrder: Int32Array,
  ): RowAssemblyHandle;
  /**
   * Writes the rows of the receiving points positions[first … end) from their patches' weight
   * blocks (patch p's at arena[blockOffsets[p − halo] …]); `slot` is scratch, one per source point.
   */
  blendRows(
    handle: RowAssemblyHandle,
    rowPointers: Int32Array,
    columns: Int32Array,
    weights: Float64Array,
    arena: Float64Array,
    blockOffsets: Int32Array,
    halo: number,
    positions: Int32Array,
    first: number,
    end: number,
    slot: Int32Array,
  ): void;
  /** Row lengths of the receiving points at Morton positions [begin, end) into rowPointers[point + 1]; `seen` is scratch. */
  rowLengths(handle: RowAssemblyHandle, begin: number, end: number, rowPointers: Int32Array, seen: Int32Array): void;
  /**
   * φ between every row point and column point (x, y, z triples), row-major, or with `packedLower`
   * the lower triangle of the square matrix on one point set, packed by rows; `kind` indexes
   * KERNEL_NAMES. Rows are split across `threads`.
   */
  kernelMatrix(
    kind: number,
    radius: number,
    rowXyz: Float64Array,
    rowCount: number,
    columnXyz: Float64Array,
    columnCount: number,
    packedLower: boolean,
    out: Float64Array,
    threads: number,
  ): void;
  /** Φ ← H Φ H for H = I − τ v vᵀ, Φ's lower triangle packed by rows (n × n); `w` is scratch of n. */
  reflectPacked(phi: Float64Array, n: number, v: Float64Array, tau: number, w: Float64Array): void;
  /**
   * Every tree point within `radius` of (x, y, z), in the TypeScript search's order: at most
   * indices.length written; returns how many there are (more: grow the lists and ask again).
   */
  kdTreeWithinRadius(
    coordinates: Float64Array,
    ids: Int32Array,
    splitAxes: Uint8Array,
    bucketSize: number,
    x: number,
    y: number,
    z: number,
    radius: number,
    indices: Int32Array,
    distances: Float64Array,
  ): number;
  /** Threads the kernels' pool has started (besides the callers'). */
  kernelPoolThreads(): number;
}

/** An opaque handle made by rowAssembly. */
export type RowAssemblyHandle = { readonly __rowAssembly: unique symbol };

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
