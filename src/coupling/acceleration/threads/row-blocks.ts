// How the accelerated vector's rows are cut for the column kernels: into
// blocks of a fixed size, whatever the number of threads, so that a sum over
// rows is always the same sum of the same per-block partial sums, added in
// block order on the calling thread. A thread count only decides which
// thread computes which blocks, never what is added to what: results are the
// same bits on any count. A vector of one block is summed exactly as a plain
// loop sums it.

/** Rows per block: 4096 doubles (32 KiB) of the vector a column is multiplied by stay in the L1/L2 cache while every column passes over them. */
export const BLOCK_ROWS = 4096;

export function blockCount(rows: number): number {
  return Math.max(1, Math.ceil(rows / BLOCK_ROWS));
}

/** The first block of `part` among `parts` (its last is the next part's first, exclusive). */
export function firstBlock(blocks: number, part: number, parts: number): number {
  return Math.floor((blocks * part) / parts);
}
