// A team of worker threads for the accelerations' column kernels, started
// once (when a large vector is accelerated on more than one thread) and kept
// for the run. Unlike the operators' setup team, which hands each task over
// as a message, a kernel call here is a handful of integers written into
// shared control words: the caller writes the kernel's number and arguments,
// bumps a generation word and wakes the workers with Atomics.notify, does
// part 0 itself, then sleeps in Atomics.wait until the count of parts still
// running reaches 0. Nothing is allocated per call on either side. The
// arrays the kernels work on are SharedArrayBuffer views, handed to the
// workers once (share) and named by their slot afterwards.
//
// A worker that exits for any reason clears its liveness word and wakes the
// caller, which then fails with an AccelerationThreadError instead of
// waiting for ever; the team cannot be used after that. Workers are unref'd
// (an idle team never keeps the process alive) and sleep in the kernel
// between calls rather than spin: the cores are shared with components.
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker, workerData } from "node:worker_threads";

/** A kernel's part: `part` of `parts`, on the arrays shared so far, with the caller's integer arguments. */
export type KernelBody = (arrays: readonly Float64Array[], args: Int32Array, part: number, parts: number) => void;

/** A worker stopped (exited, crashed, never loaded) while the acceleration needed it. */
export class AccelerationThreadError extends Error {
  override name = "AccelerationThreadError";
}

// Control words (Int32): then ARGUMENTS words of arguments, then two per worker.
const GENERATION = 0;
const PENDING = 1;
const SHARED = 2;
const STOP = 3;
const KERNEL = 4;
const ARGUMENTS_AT = 8;
export const ARGUMENTS = 24;
const WORKERS_AT = ARGUMENTS_AT + ARGUMENTS;
const ALIVE = 0;
const READY = 1;
const MAX_THREADS = 256;
/** A worker that takes longer than this to load its code has failed to start. */
const START_TIMEOUT_MS = 60_000;
/** Between checks of the workers' liveness while waiting. */
const WAIT_SLICE_MS = 200;

/** What a worker receives in workerData. */
interface KernelWorkerData {
  tsxApi: string;
  entry: string;
  control: SharedArrayBuffer;
  part: number;
  parts: number;
  arrays: MessagePort;
}

/** How an array reaches a worker: its buffer is shared, not copied. */
interface SharedArrayNote {
  buffer: SharedArrayBuffer;
  byteOffset: number;
  length: number;
}

// The worker's first code: its liveness word is cleared when it exits for any
// reason (its code failed to load, a kernel threw, process.exit), and the
// caller, asleep in Atomics.wait, is woken to see it.
const PRELUDE = `
const { workerData } = require("node:worker_threads");
const control = new Int32Array(workerData.control);
const alive = ${WORKERS_AT} + 2 * (workerData.part - 1) + ${ALIVE};
process.on("exit", () => {
  Atomics.store(control, alive, 0);
  Atomics.notify(control, ${PENDING});
  Atomics.notify(control, alive + 1);
});
import(workerData.tsxApi)
  .then((tsx) => {
    tsx.register();
    return import(workerData.entry);
  });
`;

export class KernelTeam {
  /** The calling thread and the workers. */
  readonly parts: number;
  /** Where the caller writes a kernel's integer arguments before dispatch. */
  readonly args: Int32Array;
  private readonly control: Int32Array;
  private readonly workers: Worker[];
  private readonly ports: MessagePort[];
  private readonly slots = new Map<Float64Array, number>();
  private failure: AccelerationThreadError | undefined;
  private closed = false;

  /** Starts `parts − 1` workers that load `entry` (a module calling serveKernels) and waits until they are ready. */
  static start(parts: number, entry: URL): KernelTeam {
    if (!Number.isInteger(parts) || parts < 2 || parts > MAX_THREADS) {
      throw new AccelerationThreadError(`a kernel team has 2 to ${MAX_THREADS} threads; got ${parts}`);
    }
    const control = new SharedArrayBuffer((WORKERS_AT + 2 * parts) * 4);
    const words = new Int32Array(control);
    const tsxApi = import.meta.resolve("tsx/esm/api");
    const workers: Worker[] = [];
    const ports: MessagePort[] = [];
    try {
      for (let part = 1; part < parts; part++) {
        Atomics.store(words, WORKERS_AT + 2 * (part - 1) + ALIVE, 1);
        const { port1, port2 } = new MessageChannel();
        const data: KernelWorkerData = { tsxApi, entry: entry.href, control, part, parts, arrays: port2 };
        const worker = new Worker(PRELUDE, {
          eval: true,
          name: `acceleration thread ${part}`,
          workerData: data,
          transferList: [port2],
        });
        worker.unref();
        port1.unref();
        // What a worker throws reaches its liveness word; here it must not become the caller's uncaught exception.
        worker.on("error", () => {});
        workers.push(worker);
        ports.push(port1);
      }
      const deadline = performance.now() + START_TIMEOUT_MS;
      for (let part = 1; part < parts; part++) {
        const at = WORKERS_AT + 2 * (part - 1);
        while (Atomics.load(words, at + READY) === 0) {
          const left = deadline - performance.now();
          if (Atomics.load(words, at + ALIVE) === 0 || left <= 0) {
            throw new AccelerationThreadError(
              `acceleration thread ${part} did not start (${left <= 0 ? "timed out" : "it exited"}); run with threads: 1, or check that the worker's modules load`,
            );
          }
          Atomics.wait(words, at + READY, 0, Math.min(left, WAIT_SLICE_MS));
        }
      }
    } catch (error) {
      for (const worker of workers) void worker.terminate();
      throw error;
    }
    return new KernelTeam(parts, words, workers, ports);
  }

  private constructor(parts: number, control: Int32Array, workers: Worker[], ports: MessagePort[]) {
    this.parts = parts;
    this.control = control;
    this.args = control.subarray(ARGUMENTS_AT, ARGUMENTS_AT + ARGUMENTS);
    this.workers = workers;
    this.ports = ports;
  }

  /** Hands a view over a SharedArrayBuffer to every worker; returns its slot. */
  share(array: Float64Array): number {
    const known = this.slots.get(array);
    if (known !== undefined) return known;
    if (!(array.buffer instanceof SharedArrayBuffer)) throw new Error("only views over a SharedArrayBuffer are shared");
    const slot = this.slots.size;
    const note: SharedArrayNote = { buffer: array.buffer, byteOffset: array.byteOffset, length: array.length };
    for (const port of this.ports) port.postMessage(note);
    this.slots.set(array, slot);
    Atomics.store(this.control, SHARED, this.slots.size);
    return slot;
  }

  /** The array's slot, or −1 when it was never shared (then the caller runs the kernel alone). */
  slotOf(array: Float64Array): number {
    const slot = this.slots.get(array);
    return slot === undefined ? -1 : slot;
  }

  /** Starts parts 1 … parts − 1 of `kernel` on the workers, with the arguments in `args`. */
  dispatch(kernel: number): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.closed) throw new AccelerationThreadError("this acceleration's threads are closed");
    const control = this.control;
    control[KERNEL] = kernel;
    Atomics.store(control, PENDING, this.parts - 1);
    Atomics.add(control, GENERATION, 1);
    Atomics.notify(control, GENERATION);
  }

  /** Waits until every worker finished its part; a worker that died is an AccelerationThreadError. */
  finish(): void {
    const control = this.control;
    for (;;) {
      const pending = Atomics.load(control, PENDING);
      if (pending === 0) return;
      for (let part = 1; part < this.parts; part++) {
        if (Atomics.load(control, WORKERS_AT + 2 * (part - 1) + ALIVE) === 0) {
          this.failure = new AccelerationThreadError(
            `acceleration thread ${part} died during a kernel; run with threads: 1 to see why`,
          );
          throw this.failure;
        }
      }
      Atomics.wait(control, PENDING, pending, WAIT_SLICE_MS);
    }
  }

  /** Stops the workers; the team runs no kernels afterwards. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.control, STOP, 1);
    Atomics.add(this.control, GENERATION, 1);
    Atomics.notify(this.control, GENERATION);
    await Promise.all(this.workers.map((worker) => worker.terminate()));
    for (const port of this.ports) port.close();
  }
}

/**
 * The worker side, called by the entry module: takes the arrays shared so
 * far, then runs its part of every kernel dispatched until the team stops.
 */
export function serveKernels(kernels: readonly KernelBody[]): void {
  const data = workerData as KernelWorkerData;
  const control = new Int32Array(data.control);
  const args = control.subarray(ARGUMENTS_AT, ARGUMENTS_AT + ARGUMENTS);
  const arrays: Float64Array[] = [];
  const at = WORKERS_AT + 2 * (data.part - 1);
  let seen = Atomics.load(control, GENERATION);
  Atomics.store(control, at + READY, 1);
  Atomics.notify(control, at + READY);
  for (;;) {
    Atomics.wait(control, GENERATION, seen);
    seen = Atomics.load(control, GENERATION);
    if (Atomics.load(control, STOP) === 1) break;
    const shared = Atomics.load(control, SHARED);
    while (arrays.length < shared) {
      const note = receiveMessageOnPort(data.arrays)?.message as SharedArrayNote | undefined;
      if (note === undefined) break;
      arrays.push(new Float64Array(note.buffer, note.byteOffset, note.length));
    }
    const body = kernels[control[KERNEL] as number] as KernelBody;
    body(arrays, args, data.part, data.parts);
    if (Atomics.sub(control, PENDING, 1) === 1) Atomics.notify(control, PENDING);
  }
  data.arrays.close();
}
