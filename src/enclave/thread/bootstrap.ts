// enclave/thread/ owns the thread backend: a component in a worker thread of the driver's own process.
// It must not know the other backends; what every backend shares lives in the enclave's top files.

// The first code of a thread enclave's worker, once the prelude in
// thread-enclave.ts has registered tsx: it publishes the component's liveness
// in a word its supervisor can read without an event loop, pins the thread,
// sends its stdout and stderr straight into the pipes the output relay reads
// (a worker's own streams go through its supervisor's event loop, which a
// driver's loop keeps busy), makes process.argv look as it would in a process
// of its own, then imports the component.
import { writeSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { workerData } from "node:worker_threads";
import { native } from "../../native/index.ts";

export interface ThreadBootstrapData {
  /** URL of tsx's register() API, imported by the prelude. */
  tsxApi: string;
  /** URL of this file. */
  bootstrap: string;
  module: string;
  cpus?: number[];
  /** One Int32 word: 1 while the component runs; cleared here when the worker exits. */
  liveness: SharedArrayBuffer;
  /** The write ends of the pipes its stdout and stderr go to; the supervisor closes them when the worker has exited. */
  stdoutFd: number;
  stderrFd: number;
}

/** Makes `stream` write synchronously to `fd`, as a process's stdout on a pipe does. */
function redirect(stream: NodeJS.WriteStream, fd: number): void {
  stream.write = ((
    chunk: string | Uint8Array,
    encoding?: BufferEncoding | ((error?: Error | null) => void),
    callback?: (error?: Error | null) => void,
  ): boolean => {
    const done = typeof encoding === "function" ? encoding : callback;
    const bytes =
      typeof chunk === "string" ? Buffer.from(chunk, typeof encoding === "string" ? encoding : "utf8") : chunk;
    try {
      for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset, bytes.length - offset);
      done?.(null);
    } catch (error) {
      done?.(error as Error);
    }
    return true;
  }) as typeof stream.write;
}

const data = workerData as ThreadBootstrapData;
const liveness = new Int32Array(data.liveness);
// 'exit' is emitted in a worker on process.exit, at the natural end and after an
// uncaught error; the supervisor clears the word itself when it terminates us.
process.on("exit", () => Atomics.store(liveness, 0, 0));
redirect(process.stdout, data.stdoutFd);
redirect(process.stderr, data.stderrFd);
process.argv.splice(1, process.argv.length - 1, data.module);
// The thread was created pinned already; pinning again keeps that true should
// Node ever start the thread later than the Worker constructor.
if (data.cpus !== undefined) native.setAffinity(0, data.cpus);
await import(pathToFileURL(data.module).href);
