// The kernel matrix between the points that receive values and the points of
// the RBF system: E[i][j] = φ(|yᵢ − xⱼ|). Sparse rows (from radius queries)
// for a compactly supported kernel, a dense row-major block otherwise. Built
// once in setup; apply multiplies by it (consistent form) or by its transpose
// (conservative form).

import { totalByteLength } from "../array-memory.ts";
import { type CompressedRows, CompressedRowsBuilder } from "../linalg/compressed-rows.ts";
import { MappingError } from "../mapping-error.ts";
import { nativeKernels, numericBackend } from "../numeric-backend.ts";
import { type KdTree, NeighbourList } from "../spatial/kd-tree.ts";
import { evaluateKernel, type RadialKernel } from "./radial-kernel.ts";

export interface KernelEvaluation {
  readonly rowCount: number;
  readonly columnCount: number;
  readonly byteLength: number;
  /** y = E x. */
  multiply(x: Float64Array, y: Float64Array): void;
  /** x = Eᵀ y. */
  multiplyTransposed(y: Float64Array, x: Float64Array): void;
}

export class SparseKernelEvaluation implements KernelEvaluation {
  readonly rowCount: number;
  readonly columnCount: number;

  constructor(private readonly rows: CompressedRows) {
    this.rowCount = rows.rowCount;
    this.columnCount = rows.columnCount;
  }

  get byteLength(): number {
    return totalByteLength(this.rows.rowPointers, this.rows.columns, this.rows.weights);
  }

  multiply(x: Float64Array, y: Float64Array): void {
    const { rowPointers, columns, weights } = this.rows;
    let entry = 0;
    for (let row = 0; row < this.rowCount; row++) {
      const end = rowPointers[row + 1] as number;
      let sum = 0;
      for (; entry < end; entry++) sum += (weights[entry] as number) * (x[columns[entry] as number] as number);
      y[row] = sum;
    }
  }

  multiplyTransposed(y: Float64Array, x: Float64Array): void {
    const { rowPointers, columns, weights } = this.rows;
    x.fill(0);
    let entry = 0;
    for (let row = 0; row < this.rowCount; row++) {
      const end = rowPointers[row + 1] as number;
      const value = y[row] as number;
      for (; entry < end; entry++) {
        const column = columns[entry] as number;
        x[column] = (x[column] as number) + (weights[entry] as number) * value;
      }
    }
  }
}

export class DenseKernelEvaluation implements KernelEvaluation {
  constructor(
    readonly rowCount: number,
    readonly columnCount: number,
    private readonly values: Float64Array,
  ) {}

  get byteLength(): number {
    return this.values.byteLength;
  }

  multiply(x: Float64Array, y: Float64Array): void {
    const values = this.values;
    const n = this.columnCount;
    const rows = this.rowCount;
    let row = 0;
    // Four rows at a time: each x[column] loaded serves four sums.
    for (; row + 3 < rows; row += 4) {
      const b0 = row * n;
      const b1 = b0 + n;
      const b2 = b1 + n;
      const b3 = b2 + n;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let column = 0; column < n; column++) {
        const value = x[column] as number;
        s0 += (values[b0 + column] as number) * value;
        s1 += (values[b1 + column] as number) * value;
        s2 += (values[b2 + column] as number) * value;
        s3 += (values[b3 + column] as number) * value;
      }
      y[row] = s0;
      y[row + 1] = s1;
      y[row + 2] = s2;
      y[row + 3] = s3;
    }
    for (; row < rows; row++) {
      const base = row * n;
      let sum = 0;
      for (let column = 0; column < n; column++) sum += (values[base + column] as number) * (x[column] as number);
      y[row] = sum;
    }
  }

  multiplyTransposed(y: Float64Array, x: Float64Array): void {
    const values = this.values;
    const n = this.columnCount;
    x.fill(0);
    for (let row = 0; row < this.rowCount; row++) {
      const base = row * n;
      const value = y[row] as number;
      for (let column = 0; column < n; column++) {
        x[column] = (x[column] as number) + (values[base + column] as number) * value;
      }
    }
  }
}

/** Beyond this many dense entries (a 5,000 × 5,000 block, 200 MB) the evaluation matrix is refused. */
export const MAX_DENSE_EVALUATION_ENTRIES = 25_000_000;

/**
 * E between `rowXyz` (the receiving points) and `columnXyz` (the system's
 * points, indexed by `columnTree` when the kernel is compact).
 */
export function kernelEvaluation(
  kernel: RadialKernel,
  rowXyz: Float64Array,
  rowCount: number,
  columnXyz: Float64Array,
  columnCount: number,
  columnTree: KdTree,
  label: string,
  threads = 1,
): KernelEvaluation {
  if (kernel.compact) {
    const builder = new CompressedRowsBuilder(rowCount, columnCount, rowCount * 16);
    const neighbours = new NeighbourList(64);
    for (let row = 0; row < rowCount; row++) {
      const found = columnTree.withinRadiusOf(rowXyz, row, kernel.radius, neighbours);
      for (let n = 0; n < found; n++) {
        const value = evaluateKernel(kernel, Math.sqrt(neighbours.distancesSquared[n] as number));
        if (value !== 0) builder.add(neighbours.indices[n] as number, value);
      }
      builder.finishRow(row);
    }
    return new SparseKernelEvaluation(builder.build());
  }
  if (rowCount * columnCount > MAX_DENSE_EVALUATION_ENTRIES) {
    throw new MappingError(
      `${label}: a global ${kernel.name} kernel between ${rowCount} and ${columnCount} points needs a dense ${rowCount} × ${columnCount} matrix (limit ${MAX_DENSE_EVALUATION_ENTRIES} entries); use rbf-pu or a compact Wendland kernel`,
    );
  }
  const values = new Float64Array(rowCount * columnCount);
  if (numericBackend() === "native") {
    nativeKernels.kernelMatrix(
      kernel.kind,
      kernel.radius,
      rowXyz,
      rowCount,
      columnXyz,
      columnCount,
      false,
      values,
      threads,
    );
    return new DenseKernelEvaluation(rowCount, columnCount, values);
  }
  for (let row = 0; row < rowCount; row++) {
    const x = rowXyz[3 * row] as number;
    const y = rowXyz[3 * row + 1] as number;
    const z = rowXyz[3 * row + 2] as number;
    const base = row * columnCount;
    for (let column = 0; column < columnCount; column++) {
      const dx = x - (columnXyz[3 * column] as number);
      const dy = y - (columnXyz[3 * column + 1] as number);
      const dz = z - (columnXyz[3 * column + 2] as number);
      values[base + column] = evaluateKernel(kernel, Math.sqrt(dx * dx + dy * dy + dz * dz));
    }
  }
  return new DenseKernelEvaluation(rowCount, columnCount, values);
}
