// Components' output is read off the supervisor's main thread. A driver's
// coupling loop spins synchronously; were the pipes read by the main thread's
// event loop, a component that writes more than a pipe holds (64 KiB) would
// block in write() until the loop ended, and be reported as not answering, and
// nothing it printed would show until then. So one worker thread per process,
// the relay, reads every component's pipe with its own event loop, passes each
// line on at once, prefixed, and keeps each stream's tail in shared memory,
// where error reports read it at any moment.
import { Worker } from "node:worker_threads";
import { native } from "../native/index.ts";
import { tsxRegisterUrl } from "../platform/typescript-loader.ts";
import type { OutputSink } from "./output-capture.ts";
import { OutputCapture } from "./output-capture.ts";
import type { RelayedStreamRequest, RelayToMain, WatchRequest } from "./output-relay-protocol.ts";
import { OutputTail } from "./output-tail.ts";

/**
 * A worker starts without tsx's hooks: it registers them, then imports the
 * relay. Only import(), which evaluated code may call whether it is taken for
 * CommonJS or, under a parent's --input-type=module, for a module.
 */
const PRELUDE = `
import("node:worker_threads")
  .then(({ workerData }) => import(workerData.tsxApi).then((tsx) => [tsx, workerData]))
  .then(([tsx, workerData]) => {
    tsx.register();
    return import(workerData.relay);
  });
`;

export interface RelayedStream {
  /** Put before every line: "[appA] ". */
  prefix: string;
  /** Where lines go: process.stderr (the relay writes fd 2 itself), another sink, or null (only the tail is kept). */
  sink: OutputSink | null;
}

export interface RelayOptions {
  /** URL of a module exporting createDemultiplexer (output-relay-protocol.ts): several streams on one descriptor. */
  demultiplexer?: string;
  /** What the demultiplexer reports besides stream bytes, in the order it came. */
  onEvent?(type: number, payload: Uint8Array): void;
}

interface Watch {
  streams: { capture: OutputCapture; sink: OutputSink | null; finish(): void }[];
  onEvent: ((type: number, payload: Uint8Array) => void) | undefined;
}

let relay: Worker | undefined;
let ready: Promise<void> | undefined;
let onReady: () => void = () => {};
let nextId = 1;
const watches = new Map<number, Watch>();

function relayWorker(): Worker {
  if (relay !== undefined) return relay;
  ready = new Promise((resolve) => {
    onReady = resolve;
  });
  const worker = new Worker(PRELUDE, {
    eval: true,
    name: "conflux output relay",
    // Not the parent's flags (--input-type, --import …): the prelude sets up what the relay needs.
    execArgv: [],
    workerData: { tsxApi: tsxRegisterUrl(), relay: new URL("./output-relay-worker.ts", import.meta.url).href },
  });
  worker.on("message", (message: RelayToMain) => onMessage(message));
  worker.on("error", (error) => {
    // Nothing may wait for an end that will not come.
    process.stderr.write(`conflux: the thread relaying components' output failed: ${error.message}\n`);
    for (const watch of watches.values()) for (const stream of watch.streams) stream.finish();
    watches.clear();
    relay = undefined;
    onReady();
  });
  // Referenced until it is ready, then only while it has something to read.
  relay = worker;
  return worker;
}

function onMessage(message: RelayToMain): void {
  if (message.type === "ready") {
    if (watches.size === 0) relay?.unref();
    onReady();
    return;
  }
  const watch = watches.get(message.id);
  if (watch === undefined) return;
  if (message.type === "lines") watch.streams[message.stream]?.sink?.write(message.text);
  else if (message.type === "event") watch.onEvent?.(message.event, message.payload);
  else if (message.type === "failed") process.stderr.write(`conflux: ${message.message}\n`);
  else {
    for (const stream of watch.streams) stream.finish();
    watches.delete(message.id);
    // The relay keeps the process alive only while it has something to read.
    if (watches.size === 0) relay?.unref();
  }
}

/**
 * Resolves once the relay reads (it starts on first use, in a few hundred ms on
 * a busy machine). A backend awaits it before it launches a component, so that
 * the end of a component that dies at once is seen as soon as it happens: its
 * exit is reported only once its output has been read.
 */
export function outputRelayReady(): Promise<void> {
  relayWorker();
  return ready as Promise<void>;
}

function mode(sink: OutputSink | null): RelayedStreamRequest["mode"] {
  if (sink === null) return "none";
  return sink === process.stderr ? "stderr" : "post";
}

/**
 * Hands `fd` (a pipe's read end, which the relay closes at its end) to the
 * relay; returns a capture per stream, whose text() is the stream's tail and
 * whose `done` resolves once the pipe has ended and every line was passed on.
 */
export function relayOutput(
  fd: number,
  streams: readonly RelayedStream[],
  options: RelayOptions = {},
): OutputCapture[] {
  const worker = relayWorker();
  const id = nextId++;
  const requests: RelayedStreamRequest[] = [];
  const watch: Watch = { streams: [], onEvent: options.onEvent };
  for (const stream of streams) {
    const tail = new OutputTail();
    let finish = () => {};
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    watch.streams.push({ capture: new OutputCapture(tail, done), sink: stream.sink, finish });
    requests.push({ tail: tail.buffer, prefix: stream.prefix, mode: mode(stream.sink) });
  }
  watches.set(id, watch);
  worker.ref();
  const request: WatchRequest = {
    id,
    fd,
    streams: requests,
    terminal: process.stderr.isTTY === true,
    ...(options.demultiplexer === undefined ? {} : { demultiplexer: options.demultiplexer }),
  };
  worker.postMessage(request);
  return watch.streams.map((stream) => stream.capture);
}

/** A pipe for one output stream of a component: the write end to give it, and its capture. */
export interface RelayedPipe {
  /** The write end: the component's stdout or stderr. Close it here once the component has its copy. */
  writeFd: number;
  capture: OutputCapture;
}

/** A new pipe whose read end goes to the relay at once. */
export function relayedPipe(stream: RelayedStream): RelayedPipe {
  const [readFd, writeFd] = native.pipe();
  const [capture] = relayOutput(readFd, [stream]);
  return { writeFd, capture: capture as OutputCapture };
}

/**
 * A component's stdout and stderr: two pipes to the relay, every line prefixed
 * "[name] " and passed to `output` (process.stderr when undefined; null keeps
 * only the tails).
 */
export function componentOutputPipes(
  name: string,
  output: OutputSink | null | undefined,
): { stdout: RelayedPipe; stderr: RelayedPipe } {
  const prefix = `[${name}] `;
  const sink = output === undefined ? process.stderr : output;
  return { stdout: relayedPipe({ prefix, sink }), stderr: relayedPipe({ prefix, sink }) };
}
