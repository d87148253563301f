// mapping/operators/ owns the transfer operators: the contract, the spec, nearest, MLS, global RBF, RBF-PU, the factory.
// It must not know meshes in segments or the driver; other folders reach it through mapping/index.ts.

// Where an RBF-PU setup keeps the weight blocks of the patches still needed:
// one Float64Array used as a ring, blocks taken at its head and given back
// in about the order they were taken (a block lives until the points of a
// layer or two of patches later are gathered). One array rather than one per
// block, so that the native row kernel reads every block through one
// argument. When a block does not fit, the ring grows to twice its size and
// the live blocks move to its start.

export class BlockArena {
  data: Float64Array;
  /** Offset of each patch's block (by patch − first), −1 when it has none. */
  readonly offsets: Int32Array;
  private readonly sizes: Int32Array;
  private readonly freed: Uint8Array;
  /** Patches whose blocks are live or freed but not yet passed, in the order they were taken. */
  private readonly queue: Int32Array;
  private queueFront = 0;
  private queueEnd = 0;
  private head = 0;
  private tail = 0;

  constructor(
    /** Patches first … first + span − 1 may have blocks. */
    private readonly first: number,
    span: number,
    capacity: number,
  ) {
    this.data = new Float64Array(Math.max(capacity, 1024));
    this.offsets = new Int32Array(span).fill(-1);
    this.sizes = new Int32Array(span);
    this.freed = new Uint8Array(span);
    this.queue = new Int32Array(span);
  }

  /** A block of `size` values for `patch`: its offset in `data` (which may be a new array after this). */
  take(patch: number, size: number): number {
    const index = patch - this.first;
    let offset = this.place(size);
    if (offset < 0) {
      this.grow(size);
      offset = this.place(size);
    }
    this.offsets[index] = offset;
    this.sizes[index] = size;
    this.queue[this.queueEnd++] = index;
    this.head = offset + size;
    return offset;
  }

  /** Gives `patch`'s block back. */
  release(patch: number): void {
    this.freed[patch - this.first] = 1;
    while (this.queueFront < this.queueEnd && this.freed[this.queue[this.queueFront] as number] === 1) {
      this.queueFront++;
    }
    if (this.queueFront === this.queueEnd) {
      this.head = 0;
      this.tail = 0;
    } else this.tail = this.offsets[this.queue[this.queueFront] as number] as number;
  }

  /** Where a block of `size` fits after the head (wrapping to the start before the tail), or −1. */
  private place(size: number): number {
    const capacity = this.data.length;
    const empty = this.queueFront === this.queueEnd;
    if (empty) return size <= capacity ? 0 : -1;
    if (this.head > this.tail) {
      if (this.head + size <= capacity) return this.head;
      return size <= this.tail ? 0 : -1;
    }
    return this.head + size <= this.tail ? this.head : -1;
  }

  private grow(size: number): void {
    const data = new Float64Array(2 * this.data.length + size);
    let offset = 0;
    for (let entry = this.queueFront; entry < this.queueEnd; entry++) {
      const index = this.queue[entry] as number;
      if (this.freed[index] === 1) continue;
      const from = this.offsets[index] as number;
      const length = this.sizes[index] as number;
      data.set(this.data.subarray(from, from + length), offset);
      this.offsets[index] = offset;
      offset += length;
    }
    this.data = data;
    // The live blocks now lie in [0, offset): the oldest first.
    this.head = offset;
    this.tail = 0;
    const front = this.queue[this.queueFront];
    if (front !== undefined && this.queueFront < this.queueEnd) this.tail = this.offsets[front] as number;
  }
}
