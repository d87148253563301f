// One output stream of a component as its supervisor sees it: the last 64 KiB
// it wrote, kept for error reports, and when the stream has ended. The output
// relay (output-relay.ts) reads the stream off the main thread and passes every
// complete line on, prefixed with the component's name, so a user watching the
// supervisor sees who printed what while it runs.
import type { OutputTail } from "./output-tail.ts";

export { OUTPUT_TAIL_BYTES } from "./output-tail.ts";

/** Anything with a write(text) method: process.stderr, a file stream, a test's collector. */
export interface OutputSink {
  write(text: string): unknown;
}

export class OutputCapture {
  constructor(
    private readonly tail: OutputTail,
    /** Resolves when the stream has ended (or failed) and its last partial line was passed on. */
    readonly done: Promise<void>,
  ) {}

  /** The last 64 KiB the component wrote to this stream. */
  text(): string {
    return this.tail.text();
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
