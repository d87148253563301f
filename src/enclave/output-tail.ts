// The last bytes a component wrote to one stream, kept for error reports in
// shared memory: the output relay's thread writes them, the supervisor reads
// them at any moment without a turn of its event loop (its driver may be
// spinning). A sequence word, odd while the writer is inside, lets the reader
// retry a torn copy instead of taking a lock.

export const OUTPUT_TAIL_BYTES = 64 * 1024;

/** Words before the bytes: sequence, start of the oldest byte, bytes held. */
const SEQUENCE = 0;
const START = 1;
const LENGTH = 2;
const HEADER_BYTES = 16;
/** A reader gives up retrying a copy torn by a writer this many times and takes what it has. */
const READ_ATTEMPTS = 64;

export class OutputTail {
  readonly buffer: SharedArrayBuffer;
  private readonly words: Int32Array;
  private readonly bytes: Uint8Array;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(HEADER_BYTES + OUTPUT_TAIL_BYTES)) {
    this.buffer = buffer;
    this.words = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    this.bytes = new Uint8Array(buffer, HEADER_BYTES);
  }

  /** The writer's side (one writer): keeps the newest OUTPUT_TAIL_BYTES of everything appended. */
  append(chunk: Uint8Array): void {
    const capacity = this.bytes.length;
    const data = chunk.length > capacity ? chunk.subarray(chunk.length - capacity) : chunk;
    const words = this.words;
    Atomics.add(words, SEQUENCE, 1);
    const start = Atomics.load(words, START);
    const length = Atomics.load(words, LENGTH);
    let end = (start + length) % capacity;
    const first = Math.min(data.length, capacity - end);
    this.bytes.set(data.subarray(0, first), end);
    this.bytes.set(data.subarray(first), 0);
    end = (end + data.length) % capacity;
    const held = Math.min(capacity, length + data.length);
    Atomics.store(words, START, (end - held + capacity) % capacity);
    Atomics.store(words, LENGTH, held);
    Atomics.add(words, SEQUENCE, 1);
  }

  /** Any thread: the bytes held, oldest first, as text (a character cut at the start is dropped). */
  text(): string {
    const words = this.words;
    const capacity = this.bytes.length;
    let copy = new Uint8Array(0);
    for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      const before = Atomics.load(words, SEQUENCE);
      const start = Atomics.load(words, START);
      const length = Atomics.load(words, LENGTH);
      copy = new Uint8Array(length);
      const first = Math.min(length, capacity - start);
      copy.set(this.bytes.subarray(start, start + first));
      copy.set(this.bytes.subarray(0, length - first), first);
      if ((before & 1) === 0 && Atomics.load(words, SEQUENCE) === before) break;
    }
    let from = 0;
    // A UTF-8 continuation byte (10xxxxxx) at the start belongs to a character that was cut off.
    while (from < copy.length && from < 3 && ((copy[from] as number) & 0xc0) === 0x80) from++;
    return new TextDecoder().decode(copy.subarray(from));
  }
}
