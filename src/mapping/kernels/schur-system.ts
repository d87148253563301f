// The augmented RBF system for a positive definite kernel (Wendland, Gaussian),
// solved through the Schur complement of Φ:
//
//   Φ = L Lᵀ,  G = Φ⁻¹ P,  S = Pᵀ G,
//   β = S⁺ (Gᵀ u − m),  α = Φ⁻¹ u − G β.
//
// Compactly supported kernels give a sparse Φ: its pattern comes from radius
// queries, reverse Cuthill–McKee gathers it near the diagonal, and the
// envelope Cholesky factors only that band. S is tiny (q × q) and taken by
// pseudo-inverse, so coplanar or collinear points (a dead axis) lose the
// polynomial terms they cannot determine instead of making S singular.

import { grown, totalByteLength } from "../array-memory.ts";
import { EnvelopeCholesky } from "../linalg/envelope-cholesky.ts";
import { reverseCuthillMcKee } from "../linalg/reverse-cuthill-mckee.ts";
import { RELATIVE_RANK_TOLERANCE, symmetricEigen } from "../linalg/symmetric-solve.ts";
import { MappingError } from "../mapping-error.ts";
import { type KdTree, NeighbourList } from "../spatial/kd-tree.ts";
import type { AugmentedSystem, PolynomialFrame } from "./augmented-system.ts";
import { fillPackedKernelMatrix } from "./packed-kernel-matrix.ts";
import { evaluateKernel, type RadialKernel } from "./radial-kernel.ts";

export class SchurSystem implements AugmentedSystem {
  readonly termCount: number;
  /** order[i] = the point stored at row i of the factor; inverse[point] = its row. */
  private readonly order: Int32Array;
  private readonly cholesky: EnvelopeCholesky;
  /** Φ⁻¹ P in factor order, column-major (termCount columns). */
  private readonly phiInverseP: Float64Array;
  /** S⁺, termCount × termCount, row-major. */
  private readonly schurPseudoInverse: Float64Array;
  private readonly scratch: Float64Array;
  private readonly termScratch: Float64Array;

  constructor(
    readonly pointCount: number,
    order: Int32Array,
    cholesky: EnvelopeCholesky,
    polynomialInFactorOrder: Float64Array,
    termCount: number,
  ) {
    this.termCount = termCount;
    this.order = order;
    this.cholesky = cholesky;
    const n = pointCount;
    this.phiInverseP = new Float64Array(n * termCount);
    const column = new Float64Array(n);
    for (let term = 0; term < termCount; term++) {
      for (let row = 0; row < n; row++) column[row] = polynomialInFactorOrder[row * termCount + term] as number;
      cholesky.solve(column, column);
      this.phiInverseP.set(column, term * n);
    }
    const schur = new Float64Array(termCount * termCount);
    for (let a = 0; a < termCount; a++) {
      for (let b = 0; b < termCount; b++) {
        let sum = 0;
        for (let row = 0; row < n; row++) {
          sum += (polynomialInFactorOrder[row * termCount + a] as number) * (this.phiInverseP[b * n + row] as number);
        }
        schur[a * termCount + b] = sum;
      }
    }
    // Symmetrize against rounding before the eigen-decomposition.
    for (let a = 0; a < termCount; a++) {
      for (let b = 0; b < a; b++) {
        const mean = 0.5 * ((schur[a * termCount + b] as number) + (schur[b * termCount + a] as number));
        schur[a * termCount + b] = mean;
        schur[b * termCount + a] = mean;
      }
    }
    this.schurPseudoInverse = pseudoInverse(schur, termCount);
    this.scratch = new Float64Array(n);
    this.termScratch = new Float64Array(termCount);
  }

  get byteLength(): number {
    return totalByteLength(this.order, this.cholesky, this.phiInverseP, this.schurPseudoInverse, this.scratch);
  }

  /** Stored entries of the Cholesky factor. */
  get factorEntries(): number {
    return this.cholesky.entryCount;
  }

  solve(values: Float64Array, moments: Float64Array, coefficients: Float64Array, polynomial: Float64Array): void {
    const n = this.pointCount;
    const q = this.termCount;
    const order = this.order;
    const y = this.scratch;
    const g = this.phiInverseP;
    for (let row = 0; row < n; row++) y[row] = values[order[row] as number] as number;
    // Gᵀ u − m, with u in factor order, before y is overwritten by Φ⁻¹ u.
    const t = this.termScratch;
    for (let a = 0; a < q; a++) {
      let sum = 0;
      const base = a * n;
      for (let row = 0; row < n; row++) sum += (g[base + row] as number) * (y[row] as number);
      t[a] = sum - (moments[a] as number);
    }
    this.cholesky.solve(y, y);
    const s = this.schurPseudoInverse;
    for (let a = 0; a < q; a++) {
      let sum = 0;
      for (let b = 0; b < q; b++) sum += (s[a * q + b] as number) * (t[b] as number);
      polynomial[a] = sum;
    }
    for (let row = 0; row < n; row++) {
      let value = y[row] as number;
      for (let a = 0; a < q; a++) value -= (g[a * n + row] as number) * (polynomial[a] as number);
      coefficients[order[row] as number] = value;
    }
  }
}

/** Beyond this many stored entries the Cholesky factor costs too much time and memory (a dense 5,000-point system). */
export const MAX_FACTOR_ENTRIES = 12_502_500;

/**
 * Builds and factors the system on the points `xyz` (x, y, z triples). For a
 * compact kernel, `tree` must index the same points and gives the sparsity.
 */
export function factorSchurSystem(
  xyz: Float64Array,
  count: number,
  kernel: RadialKernel,
  frame: PolynomialFrame,
  tree: KdTree | undefined,
  label: string,
  threads = 1,
): SchurSystem {
  let order: Int32Array;
  let cholesky: EnvelopeCholesky;
  if (kernel.compact && tree !== undefined) {
    // Pattern and values of Φ from radius queries (each row includes its diagonal).
    const neighbours = new NeighbourList(64);
    const rowPointers = new Int32Array(count + 1);
    let columns = new Int32Array(count * 16);
    let values = new Float64Array(count * 16);
    let size = 0;
    for (let point = 0; point < count; point++) {
      const found = tree.withinRadiusOf(xyz, point, kernel.radius, neighbours);
      if (size + found > columns.length) {
        const capacity = Math.max(2 * columns.length, size + found);
        columns = grown(columns, capacity, size);
        values = grown(values, capacity, size);
      }
      for (let n = 0; n < found; n++) {
        columns[size] = neighbours.indices[n] as number;
        values[size] = evaluateKernel(kernel, Math.sqrt(neighbours.distancesSquared[n] as number));
        size++;
      }
      rowPointers[point + 1] = size;
    }
    order = reverseCuthillMcKee(rowPointers, columns);
    const inverse = new Int32Array(count);
    for (let row = 0; row < count; row++) inverse[order[row] as number] = row;
    const firstColumns = new Int32Array(count);
    for (let row = 0; row < count; row++) {
      const point = order[row] as number;
      let first = row;
      for (let entry = rowPointers[point] as number; entry < (rowPointers[point + 1] as number); entry++) {
        first = Math.min(first, inverse[columns[entry] as number] as number);
      }
      firstColumns[row] = first;
    }
    cholesky = checkedEnvelope(firstColumns, label);
    for (let row = 0; row < count; row++) {
      const point = order[row] as number;
      for (let entry = rowPointers[point] as number; entry < (rowPointers[point + 1] as number); entry++) {
        const column = inverse[columns[entry] as number] as number;
        if (column <= row) cholesky.set(row, column, values[entry] as number);
      }
    }
  } else {
    order = new Int32Array(count);
    for (let row = 0; row < count; row++) order[row] = row;
    cholesky = checkedEnvelope(new Int32Array(count), label);
    const a = cholesky.values;
    // A dense envelope is the lower triangle packed by rows.
    fillPackedKernelMatrix(kernel, xyz, count, a, threads);
  }
  cholesky.factor(label, threads);
  const q = frame.termCount;
  const polynomial = new Float64Array(count * q);
  for (let row = 0; row < count; row++) {
    const point = order[row] as number;
    frame.evaluate(
      xyz[3 * point] as number,
      xyz[3 * point + 1] as number,
      xyz[3 * point + 2] as number,
      polynomial,
      row * q,
    );
  }
  return new SchurSystem(count, order, cholesky, polynomial, q);
}

function checkedEnvelope(firstColumns: Int32Array, label: string): EnvelopeCholesky {
  // Count before allocating: the envelope of a too-wide support can exceed memory.
  let entries = 0;
  let smallest = firstColumns.length;
  for (let row = firstColumns.length - 1; row >= 0; row--) {
    smallest = Math.min(smallest, firstColumns[row] as number);
    entries += row - smallest + 1;
  }
  if (entries > MAX_FACTOR_ENTRIES) {
    throw new MappingError(
      `${label}: the RBF system on ${firstColumns.length} points needs ${entries} factor entries (limit ${MAX_FACTOR_ENTRIES}, the size of a dense 5,000-point system: its setup is O(n³)); use rbf-pu, or a compact kernel with a smaller radius`,
    );
  }
  return EnvelopeCholesky.fromFirstColumns(firstColumns);
}

/** Pseudo-inverse of a small symmetric matrix (eigenvalues below the rank tolerance dropped). */
export function pseudoInverse(matrix: Float64Array, n: number): Float64Array {
  const a = matrix.slice();
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  symmetricEigen(a, n, values, vectors);
  let largest = 0;
  for (let i = 0; i < n; i++) largest = Math.max(largest, Math.abs(values[i] as number));
  const result = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const value = values[k] as number;
    if (!(Math.abs(value) > largest * RELATIVE_RANK_TOLERANCE)) continue;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        result[i * n + j] =
          (result[i * n + j] as number) + ((vectors[i * n + k] as number) * (vectors[j * n + k] as number)) / value;
      }
    }
  }
  return result;
}
