// A transfer operator whose weights are fixed at setup, stored in compressed
// sparse rows (row pointers, column indices, weights): one row per target
// point, one entry per source point it draws from. Apply is a sparse
// matrix-vector product, a monomorphic loop over three typed arrays.
// Nearest neighbour (conservative form), MLS and RBF-PU all end up here.
import { checkApplyBuffers, type TransferMethod, type TransferOperator } from "./transfer-operator.ts";

export interface CompressedRows {
  readonly rowCount: number;
  readonly columnCount: number;
  /** rowPointers[r]..rowPointers[r + 1] index the entries of row r. */
  readonly rowPointers: Int32Array;
  readonly columns: Int32Array;
  readonly weights: Float64Array;
}

export class SparseTransferOperator implements TransferOperator {
  readonly sourceCount: number;
  readonly targetCount: number;
  private readonly rowPointers: Int32Array;
  private readonly columns: Int32Array;
  private readonly weights: Float64Array;

  constructor(
    readonly method: TransferMethod,
    readonly conservative: boolean,
    rows: CompressedRows,
  ) {
    this.targetCount = rows.rowCount;
    this.sourceCount = rows.columnCount;
    this.rowPointers = rows.rowPointers;
    this.columns = rows.columns;
    this.weights = rows.weights;
  }

  get byteLength(): number {
    return this.rowPointers.byteLength + this.columns.byteLength + this.weights.byteLength;
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
      const columns = new Int32Array(this.columns.length * 2);
      columns.set(this.columns);
      this.columns = columns;
      const weights = new Float64Array(this.weights.length * 2);
      weights.set(this.weights);
      this.weights = weights;
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
