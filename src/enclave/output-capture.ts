// One output stream of a component: the last 64 Ki characters are kept for
// error reports, and every complete line is passed on, prefixed with the
// component's name, so a user watching the supervisor sees who printed what.
import type { Readable } from "node:stream";

/** Anything with a write(text) method: process.stderr, a file stream, a test's collector. */
export interface OutputSink {
  write(text: string): unknown;
}

export const OUTPUT_TAIL_CHARACTERS = 64 * 1024;

export class OutputCapture {
  /** Resolves when the stream has ended (or failed) and its last partial line was passed on. */
  readonly done: Promise<void>;
  private tail = "";
  private partialLine = "";

  constructor(
    stream: Readable | null | undefined,
    private readonly prefix: string,
    private readonly sink: OutputSink | null,
  ) {
    if (!stream) {
      this.done = Promise.resolve();
      return;
    }
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => this.append(chunk));
    this.done = new Promise((resolve) => {
      const finish = () => {
        this.flush();
        resolve();
      };
      stream.once("end", finish);
      stream.once("close", finish);
      // A read error means the stream is over; what was read stays.
      stream.once("error", finish);
    });
  }

  /** Adds text as if the component had written it (a thread's uncaught error, which no stream carries). */
  append(text: string): void {
    this.tail += text;
    // Trim in batches so a chatty component does not copy the tail on every chunk.
    if (this.tail.length > 2 * OUTPUT_TAIL_CHARACTERS) this.tail = this.tail.slice(-OUTPUT_TAIL_CHARACTERS);
    if (this.sink === null) return;
    const lines = (this.partialLine + text).split("\n");
    this.partialLine = lines.pop() ?? "";
    // A line that never ends (a progress bar redrawn with \r) is passed on in pieces.
    if (this.partialLine.length > OUTPUT_TAIL_CHARACTERS) {
      lines.push(this.partialLine);
      this.partialLine = "";
    }
    if (lines.length > 0) this.sink.write(lines.map((line) => `${this.prefix}${line}\n`).join(""));
  }

  text(): string {
    return this.tail.length > OUTPUT_TAIL_CHARACTERS ? this.tail.slice(-OUTPUT_TAIL_CHARACTERS) : this.tail;
  }

  private flush(): void {
    if (this.sink !== null && this.partialLine !== "") this.sink.write(`${this.prefix}${this.partialLine}\n`);
    this.partialLine = "";
  }
}

/**
 * Resolves when every capture has ended, or after `timeoutMs`: a component's
 * own child may still hold its pipe open, and the exit must be reported anyway.
 */
export async function drainOutput(captures: (OutputCapture | undefined)[], timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  await Promise.race([Promise.all(captures.map((capture) => capture?.done)), deadline]);
  clearTimeout(timer);
}
