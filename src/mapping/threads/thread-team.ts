// mapping/threads/ owns the worker threads that share an operator's setup: started once, reused, told work synchronously.
// It must not know operators: it runs named tasks from a table its caller gives, on data in SharedArrayBuffers.

// A team of worker threads for setup work: the calling thread does part 0
// of a task and the workers parts 1 … n−1, and `run` returns when every part
// is done, so an operator's setup stays a plain synchronous call. Work goes
// to a worker as a message (its SharedArrayBuffers are shared, not copied);
// the worker answers on its own port and counts down a shared word, which the
// caller waits on with Atomics.wait, then takes each answer with
// receiveMessageOnPort: no event loop turn is needed on the calling side. A
// worker that dies (or never starts) clears its liveness word, so the caller
// fails with a named error instead of waiting for ever. Workers are unref'd:
// an idle team never keeps the process alive.
import {
  MessageChannel,
  type MessagePort,
  parentPort,
  receiveMessageOnPort,
  Worker,
  workerData,
} from "node:worker_threads";
import { MappingError } from "../mapping-error.ts";

/** What a task does with its part of the work: `part` of `parts`, the caller's being part 0. */
export type TaskBody = (payload: unknown, part: number, parts: number) => unknown;
export type TaskTable = Readonly<Record<string, TaskBody>>;

/** Control words, one Int32 each. */
const READY = 0;
const ALIVE = 1;
const DONE = 2;
const CONTROL_WORDS = 4;
/** Bytes of the note where a worker leaves the error that stopped it loading. */
const NOTE_BYTES = 2048;
/** A worker that takes longer than this to load its code has failed to start. */
const START_TIMEOUT_MS = 60_000;
/** Between checks of the workers' liveness while waiting for parts. */
const WAIT_SLICE_MS = 200;

export interface WorkerRequest {
  task: string;
  payload: unknown;
  part: number;
  parts: number;
}

export type WorkerReply = { ok: true; result: unknown } | { ok: false; message: string; mapping: boolean };

/** What the worker entry receives in workerData. */
export interface TeamWorkerData {
  tsxApi: string;
  entry: string;
  control: SharedArrayBuffer;
  /** Length (Int32) then UTF-8 text of the error that stopped the worker loading its code. */
  note: SharedArrayBuffer;
  replies: MessagePort;
}

// The worker's first code: its liveness word is cleared when it exits for any
// reason (its code failed to load, a task threw past the handler, termination),
// and the caller, blocked in Atomics.wait, is woken to see it.
const PRELUDE = `
const { workerData } = require("node:worker_threads");
const control = new Int32Array(workerData.control);
process.on("exit", () => {
  Atomics.store(control, ${ALIVE}, 0);
  Atomics.notify(control, ${READY});
  Atomics.notify(control, ${DONE});
});
import(workerData.tsxApi)
  .then((tsx) => {
    tsx.register();
    return import(workerData.entry);
  })
  .catch((error) => {
    const text = new TextEncoder().encode(String((error && error.message) || error)).slice(0, ${NOTE_BYTES - 4});
    new Uint8Array(workerData.note).set(text, 4);
    Atomics.store(new Int32Array(workerData.note, 0, 1), 0, text.length);
    throw error;
  });
`;

interface Member {
  worker: Worker;
  control: Int32Array;
  note: SharedArrayBuffer;
  replies: MessagePort;
}

/** The error a worker left in its note, or undefined. */
function noteOf(member: Member): string | undefined {
  const length = Atomics.load(new Int32Array(member.note, 0, 1), 0);
  if (length <= 0) return undefined;
  return new TextDecoder().decode(new Uint8Array(member.note, 4, length).slice());
}

export class ThreadTeam {
  /** Threads that take part in a task, the caller's included. */
  readonly size: number;
  private readonly members: Member[];
  private closed = false;

  /**
   * Starts `size − 1` workers, each loading `entry` (a module that calls
   * `serveTeamTasks` with the same table), and waits until they are ready.
   */
  static start(size: number, entry: URL, tasks: TaskTable): ThreadTeam {
    if (!Number.isInteger(size) || size < 1 || size > 256) {
      throw new MappingError(`threads must be a whole number from 1 to 256; got ${size}`);
    }
    const tsxApi = import.meta.resolve("tsx/esm/api");
    const members: Member[] = [];
    try {
      for (let index = 1; index < size; index++) {
        const control = new SharedArrayBuffer(CONTROL_WORDS * 4);
        const words = new Int32Array(control);
        Atomics.store(words, ALIVE, 1);
        const note = new SharedArrayBuffer(NOTE_BYTES);
        const { port1, port2 } = new MessageChannel();
        const data: TeamWorkerData = { tsxApi, entry: entry.href, control, note, replies: port2 };
        const worker = new Worker(PRELUDE, {
          eval: true,
          name: `mapping thread ${index}`,
          workerData: data,
          transferList: [port2],
        });
        worker.unref();
        port1.unref();
        // What a worker throws past its handlers reaches its note and its liveness
        // word; here it must not become an uncaught exception of the caller's process.
        worker.on("error", () => {});
        members.push({ worker, control: words, note, replies: port1 });
      }
      const deadline = performance.now() + START_TIMEOUT_MS;
      for (const [index, member] of members.entries()) {
        while (Atomics.load(member.control, READY) === 0) {
          const left = deadline - performance.now();
          if (Atomics.load(member.control, ALIVE) === 0 || left <= 0) {
            const reason =
              left <= 0 ? "timed out" : `it exited${noteOf(member) === undefined ? "" : `: ${noteOf(member)}`}`;
            throw new MappingError(
              `mapping thread ${index + 1} did not start (${reason}); run with threads: 1, or check that the worker's modules load`,
            );
          }
          Atomics.wait(member.control, READY, 0, Math.min(left, WAIT_SLICE_MS));
        }
      }
    } catch (error) {
      for (const member of members) void member.worker.terminate();
      throw error;
    }
    return new ThreadTeam(size, members, tasks);
  }

  private constructor(
    size: number,
    members: Member[],
    private readonly tasks: TaskTable,
  ) {
    this.size = size;
    this.members = members;
  }

  /**
   * Runs `task` in `parts` parts (at most the team's size): part 0 here, the
   * others on workers. Returns every part's result, in part order. A part's
   * error is rethrown here (a MappingError stays one).
   */
  run(task: string, payload: unknown, parts = this.size): unknown[] {
    if (this.closed) throw new Error("this mapping thread team is closed");
    const body = this.tasks[task];
    if (body === undefined) throw new Error(`no mapping task named ${task}`);
    const used = Math.max(1, Math.min(parts, this.size));
    for (let part = 1; part < used; part++) {
      const member = this.members[part - 1] as Member;
      Atomics.store(member.control, DONE, 0);
      const request: WorkerRequest = { task, payload, part, parts: used };
      member.worker.postMessage(request);
    }
    const results: unknown[] = new Array(used);
    let failure: unknown;
    try {
      results[0] = body(payload, 0, used);
    } catch (error) {
      failure = error;
    }
    for (let part = 1; part < used; part++) {
      const member = this.members[part - 1] as Member;
      while (Atomics.load(member.control, DONE) === 0) {
        if (Atomics.load(member.control, ALIVE) === 0) {
          failure ??= new MappingError(`mapping thread ${part} died during ${task}; run with threads: 1 to see why`);
          break;
        }
        Atomics.wait(member.control, DONE, 0, WAIT_SLICE_MS);
      }
      const reply = receiveMessageOnPort(member.replies)?.message as WorkerReply | undefined;
      if (reply === undefined) continue;
      if (reply.ok) results[part] = reply.result;
      else failure ??= reply.mapping ? new MappingError(reply.message) : new Error(reply.message);
    }
    if (failure !== undefined) throw failure;
    return results;
  }

  /** Ends the workers; the team cannot run tasks afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.members.map((member) => member.worker.terminate()));
    // A terminated worker runs no exit handler: its liveness word is cleared here, so
    // nothing can wait on it for ever.
    for (const member of this.members) Atomics.store(member.control, ALIVE, 0);
  }
}

/** The worker side (called by the entry module): answers every request with the table's task, then counts down. */
export function serveTeamTasks(tasks: TaskTable): void {
  const data = workerData as TeamWorkerData;
  const control = new Int32Array(data.control);
  parentPort?.on("message", (request: WorkerRequest) => {
    let reply: WorkerReply;
    try {
      const body = tasks[request.task];
      if (body === undefined) throw new Error(`no mapping task named ${request.task}`);
      reply = { ok: true, result: body(request.payload, request.part, request.parts) };
    } catch (error) {
      reply = {
        ok: false,
        message: error instanceof Error ? error.message : String(error),
        mapping: error instanceof MappingError,
      };
    }
    data.replies.postMessage(reply);
    Atomics.store(control, DONE, 1);
    Atomics.notify(control, DONE);
  });
  Atomics.store(control, READY, 1);
  Atomics.notify(control, READY);
}
