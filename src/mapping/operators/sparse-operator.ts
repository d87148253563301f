// A transfer operator whose weights are fixed at setup, stored in compressed
// sparse rows (row pointers, column indices, weights): one row per target
// point, one entry per source point it draws from. Apply is a sparse
// matrix-vector product, a monomorphic loop over three typed arrays.
// Nearest neighbour (conservative form), MLS and RBF-PU all end up here.
// The native kernel does the same product (the same sums in the same order,
// so the same bits), across threads for large operators: rows are split by
// entries, and a row's value does not depend on which thread computes it.
import { totalByteLength } from "../array-memory.ts";
import type { CompressedRows } from "../linalg/compressed-rows.ts";
import { nativeKernels, numericBackend } from "../numeric-backend.ts";
import { checkApplyBuffers, type TransferMethod, type TransferOperator } from "./transfer-operator.ts";

/** Below this many entries an apply stays on one thread: waking others would cost more than it saves. */
const PARALLEL_APPLY_ENTRIES = 200_000;

export class SparseTransferOperator implements TransferOperator {
  readonly sourceCount: number;
  readonly targetCount: number;
  private readonly rowPointers: Int32Array;
  private readonly columns: Int32Array;
  private readonly weights: Float64Array;
  private readonly applyThreads: number;

  constructor(
    readonly method: TransferMethod,
    readonly conservative: boolean,
    rows: CompressedRows,
    /** Threads of apply, the caller's included. */
    readonly threads = 1,
  ) {
    this.targetCount = rows.rowCount;
    this.sourceCount = rows.columnCount;
    this.rowPointers = rows.rowPointers;
    this.columns = rows.columns;
    this.weights = rows.weights;
    this.applyThreads = rows.weights.length >= PARALLEL_APPLY_ENTRIES ? threads : 1;
  }

  get byteLength(): number {
    return totalByteLength(this.rowPointers, this.columns, this.weights);
  }

  /** Entries per target point, for reports. */
  get nonZeros(): number {
    return this.weights.length;
  }

  /** The operator's matrix (read-only by convention); tests and reports inspect it. */
  get matrix(): CompressedRows {
    return {
      rowCount: this.targetCount,
      columnCount: this.sourceCount,
      rowPointers: this.rowPointers,
      columns: this.columns,
      weights: this.weights,
    };
  }

  apply(source: Float64Array, target: Float64Array): void {
    checkApplyBuffers(this, source, target);
    if (numericBackend() === "native") {
      nativeKernels.sparseMultiply(this.rowPointers, this.columns, this.weights, source, target, this.applyThreads);
      return;
    }
    const rowPointers = this.rowPointers;
    const columns = this.columns;
    const weights = this.weights;
    const rows = this.targetCount;
    let entry = 0;
    for (let row = 0; row < rows; row++) {
      const end = rowPointers[row + 1] as number;
      // Eight independent sums: the loop is bound by loads, not by one chain of additions.
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let s4 = 0;
      let s5 = 0;
      let s6 = 0;
      let s7 = 0;
      for (; entry + 7 < end; entry += 8) {
        s0 += (weights[entry] as number) * (source[columns[entry] as number] as number);
        s1 += (weights[entry + 1] as number) * (source[columns[entry + 1] as number] as number);
        s2 += (weights[entry + 2] as number) * (source[columns[entry + 2] as number] as number);
        s3 += (weights[entry + 3] as number) * (source[columns[entry + 3] as number] as number);
        s4 += (weights[entry + 4] as number) * (source[columns[entry + 4] as number] as number);
        s5 += (weights[entry + 5] as number) * (source[columns[entry + 5] as number] as number);
        s6 += (weights[entry + 6] as number) * (source[columns[entry + 6] as number] as number);
        s7 += (weights[entry + 7] as number) * (source[columns[entry + 7] as number] as number);
      }
      for (; entry < end; entry++) s0 += (weights[entry] as number) * (source[columns[entry] as number] as number);
      target[row] = s0 + s1 + (s2 + s3) + (s4 + s5 + (s6 + s7));
    }
  }
}
