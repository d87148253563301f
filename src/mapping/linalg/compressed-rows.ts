// mapping/linalg/ owns the linear algebra: compressed rows, Cholesky (dense, envelope), QR, symmetric solves, orderings.
// It must not know points, kernels or operators: it stands on mapping-error.ts, array-memory.ts and numeric-backend.ts.

// Sparse matrices in compressed rows (row pointers, column indices, weights):
// how setup collects rows in whatever order it visits them, and the transpose.
// Transfer operators and kernel matrices are stored this way.
import { grown } from "../array-memory.ts";

export interface CompressedRows {
  readonly rowCount: number;
  readonly columnCount: number;
  /** rowPointers[r]..rowPointers[r + 1] index the entries of row r. */
  readonly rowPointers: Int32Array;
  readonly columns: Int32Array;
  readonly weights: Float64Array;
}

/** The transpose, as new compressed rows (O(entries)); columns come out sorted within each row. */
export function transposeRows(rows: CompressedRows): CompressedRows {
  const { rowCount, columnCount, rowPointers, columns, weights } = rows;
  const entries = weights.length;
  const transposedPointers = new Int32Array(columnCount + 1);
  for (let entry = 0; entry < entries; entry++) {
    const column = columns[entry] as number;
    transposedPointers[column + 1] = (transposedPointers[column + 1] as number) + 1;
  }
  for (let column = 0; column < columnCount; column++) {
    transposedPointers[column + 1] =
      (transposedPointers[column + 1] as number) + (transposedPointers[column] as number);
  }
  const cursor = transposedPointers.slice(0, columnCount);
  const transposedColumns = new Int32Array(entries);
  const transposedWeights = new Float64Array(entries);
  for (let row = 0; row < rowCount; row++) {
    for (let entry = rowPointers[row] as number; entry < (rowPointers[row + 1] as number); entry++) {
      const column = columns[entry] as number;
      const slot = cursor[column] as number;
      cursor[column] = slot + 1;
      transposedColumns[slot] = row;
      transposedWeights[slot] = weights[entry] as number;
    }
  }
  return {
    rowCount: columnCount,
    columnCount: rowCount,
    rowPointers: transposedPointers,
    columns: transposedColumns,
    weights: transposedWeights,
  };
}

/**
 * Collects rows in whatever order setup visits them (spatial order, for cache
 * locality), then lays them out in row order. Grows by doubling; setup only.
 */
export class CompressedRowsBuilder {
  private columns: Int32Array;
  private weights: Float64Array;
  private size = 0;
  private rowBegin = 0;
  private readonly rowStarts: Int32Array;
  private readonly rowLengths: Int32Array;

  constructor(
    readonly rowCount: number,
    readonly columnCount: number,
    capacity = 4 * rowCount + 16,
  ) {
    this.columns = new Int32Array(capacity);
    this.weights = new Float64Array(capacity);
    this.rowStarts = new Int32Array(rowCount);
    this.rowLengths = new Int32Array(rowCount).fill(-1);
  }

  add(column: number, weight: number): void {
    if (this.size === this.columns.length) {
      this.columns = grown(this.columns, this.columns.length * 2);
      this.weights = grown(this.weights, this.weights.length * 2);
    }
    this.columns[this.size] = column;
    this.weights[this.size] = weight;
    this.size++;
  }

  /** Closes the row holding the entries added since the previous call. */
  finishRow(row: number): void {
    if (this.rowLengths[row] !== -1) throw new Error(`row ${row} was finished twice`);
    this.rowStarts[row] = this.rowBegin;
    this.rowLengths[row] = this.size - this.rowBegin;
    this.rowBegin = this.size;
  }

  build(): CompressedRows {
    const rowPointers = new Int32Array(this.rowCount + 1);
    const columns = new Int32Array(this.size);
    const weights = new Float64Array(this.size);
    let cursor = 0;
    for (let row = 0; row < this.rowCount; row++) {
      const length = this.rowLengths[row] as number;
      if (length < 0) throw new Error(`row ${row} was never finished`);
      const start = this.rowStarts[row] as number;
      columns.set(this.columns.subarray(start, start + length), cursor);
      weights.set(this.weights.subarray(start, start + length), cursor);
      cursor += length;
      rowPointers[row + 1] = cursor;
    }
    return { rowCount: this.rowCount, columnCount: this.columnCount, rowPointers, columns, weights };
  }
}
