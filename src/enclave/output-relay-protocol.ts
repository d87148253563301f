// What the supervisor's main thread and the output relay's thread say to each
// other (output-relay.ts, output-relay-worker.ts), and what a stream format
// that carries several streams on one pipe provides (the VM's console frames).

/** One stream read from a watched descriptor. */
export interface RelayedStreamRequest {
  /** Where the relay keeps its tail (an OutputTail's buffer). */
  tail: SharedArrayBuffer;
  /** Put before every line, e.g. "[appA] ". */
  prefix: string;
  /** stderr: written to fd 2 by the relay; post: sent to the main thread's sink; none: only the tail is kept. */
  mode: "stderr" | "post" | "none";
}

/** Main → relay: read `fd` (the relay closes it) until its end. */
export interface WatchRequest {
  id: number;
  fd: number;
  streams: RelayedStreamRequest[];
  /** URL of a module whose createDemultiplexer() splits the bytes into streams and events; one plain stream without. */
  demultiplexer?: string;
  /** Whether fd 2 is a terminal: a line then clears what a progress bar left on it. */
  terminal: boolean;
}

/** Relay → main. */
export type RelayToMain =
  | { type: "ready" }
  | { type: "lines"; id: number; stream: number; text: string }
  | { type: "event"; id: number; event: number; payload: Uint8Array }
  | { type: "failed"; id: number; message: string }
  | { type: "end"; id: number };

/** A stream format's reader, fed every chunk read from the descriptor. */
export interface Demultiplexer {
  push(chunk: Uint8Array): void;
}

/** What a demultiplexer module exports: `onStream` gets stream bytes by index, `onEvent` everything else. */
export type CreateDemultiplexer = (
  onStream: (stream: number, bytes: Uint8Array) => void,
  onEvent: (type: number, payload: Uint8Array) => void,
) => Demultiplexer;
