// The output relay's thread (see output-relay.ts): its own event loop reads
// the components' pipes whatever the supervisor's main thread is doing, keeps
// each stream's tail in shared memory, and passes every complete line on with
// the component's prefix: straight to file descriptor 2 when the sink is the
// process's stderr (a worker's process.stderr would go through the main
// thread), or to the main thread as a message for any other sink.
import { writeSync } from "node:fs";
import { Socket } from "node:net";
import { TextDecoder } from "node:util";
import { parentPort } from "node:worker_threads";
import type { Demultiplexer, RelayToMain, WatchRequest } from "./output-relay-protocol.ts";
import { OUTPUT_TAIL_BYTES, OutputTail } from "./output-tail.ts";

const NEWLINE = 0x0a;
/** "\r" and erase-line: a component's line replaces a progress bar drawn on the terminal, which redraws itself. */
const CLEAR_LINE = Buffer.from("\r\x1b[K");
/** While fd 2 is full (a reader that lags), how long to sleep between attempts. */
const FULL_RETRY_MS = 1;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

interface StreamState {
  tail: OutputTail;
  prefix: Buffer;
  mode: "stderr" | "post" | "none";
  /** The line begun and not yet ended. */
  partial: Buffer[];
  partialBytes: number;
  decoder: TextDecoder;
}

interface Watched {
  id: number;
  streams: StreamState[];
  terminal: boolean;
}

const port = parentPort;
if (port === null) throw new Error("output-relay-worker.ts runs as the output relay's worker thread");

function post(message: RelayToMain): void {
  port?.postMessage(message);
}

/** Writes all of `bytes` to fd 2, waiting while it is full; a closed stderr drops them. */
function writeToStderr(bytes: Buffer): void {
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(2, bytes, offset, bytes.length - offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EAGAIN") return;
      Atomics.wait(sleeper, 0, 0, FULL_RETRY_MS);
    }
  }
}

/** Passes `lines` (whole lines, each without its newline) of `stream` on. */
function emit(watched: Watched, index: number, stream: StreamState, lines: Buffer[]): void {
  if (lines.length === 0) return;
  const parts: Buffer[] = [];
  if (stream.mode === "stderr" && watched.terminal) parts.push(CLEAR_LINE);
  for (const line of lines) parts.push(stream.prefix, line, Buffer.from([NEWLINE]));
  const text = Buffer.concat(parts);
  if (stream.mode === "stderr") writeToStderr(text);
  else post({ type: "lines", id: watched.id, stream: index, text: stream.decoder.decode(text) });
}

/** Bytes of one stream: into its tail, and every line completed by them on to the sink. */
function take(watched: Watched, index: number, bytes: Uint8Array): void {
  const stream = watched.streams[index];
  if (stream === undefined || bytes.length === 0) return;
  stream.tail.append(bytes);
  if (stream.mode === "none") return;
  const chunk = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const lines: Buffer[] = [];
  let start = 0;
  for (let newline = chunk.indexOf(NEWLINE); newline >= 0; newline = chunk.indexOf(NEWLINE, start)) {
    const piece = chunk.subarray(start, newline);
    lines.push(stream.partialBytes === 0 ? piece : Buffer.concat([...stream.partial, piece]));
    stream.partial = [];
    stream.partialBytes = 0;
    start = newline + 1;
  }
  if (start < chunk.length) {
    // Copied: the chunk's memory is reused once this returns.
    stream.partial.push(Buffer.from(chunk.subarray(start)));
    stream.partialBytes += chunk.length - start;
    // A line that never ends (a progress bar redrawn with \r) is passed on in pieces.
    if (stream.partialBytes > OUTPUT_TAIL_BYTES) {
      lines.push(Buffer.concat(stream.partial));
      stream.partial = [];
      stream.partialBytes = 0;
    }
  }
  emit(watched, index, stream, lines);
}

function finish(watched: Watched): void {
  watched.streams.forEach((stream, index) => {
    if (stream.mode !== "none" && stream.partialBytes > 0)
      emit(watched, index, stream, [Buffer.concat(stream.partial)]);
    stream.partial = [];
    stream.partialBytes = 0;
  });
  post({ type: "end", id: watched.id });
}

async function demultiplexer(request: WatchRequest, watched: Watched): Promise<Demultiplexer | undefined> {
  if (request.demultiplexer === undefined) return undefined;
  const module = (await import(request.demultiplexer)) as {
    createDemultiplexer(
      onStream: (stream: number, bytes: Uint8Array) => void,
      onEvent: (type: number, payload: Uint8Array) => void,
    ): Demultiplexer;
  };
  return module.createDemultiplexer(
    (stream, bytes) => take(watched, stream, bytes),
    (type, payload) => post({ type: "event", id: watched.id, event: type, payload: Uint8Array.from(payload) }),
  );
}

async function watch(request: WatchRequest): Promise<void> {
  const watched: Watched = {
    id: request.id,
    terminal: request.terminal,
    streams: request.streams.map((stream) => ({
      tail: new OutputTail(stream.tail),
      prefix: Buffer.from(stream.prefix),
      mode: stream.mode,
      partial: [],
      partialBytes: 0,
      decoder: new TextDecoder(),
    })),
  };
  let demux: Demultiplexer | undefined;
  try {
    demux = await demultiplexer(request, watched);
  } catch (error) {
    post({ type: "failed", id: request.id, message: (error as Error).message });
  }
  const socket = new Socket({ fd: request.fd, readable: true, writable: false });
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    finish(watched);
    socket.destroy();
  };
  socket.on("data", (chunk: Buffer) => {
    if (demux === undefined) take(watched, 0, chunk);
    else demux.push(chunk);
  });
  socket.once("end", end);
  socket.once("close", end);
  // A read error means the stream is over; what was read stays.
  socket.once("error", end);
}

port.on("message", (request: WatchRequest) => {
  void watch(request);
});
post({ type: "ready" });
