// What the interface quasi-Newton methods share (preCICE's BaseQNAcceleration,
// written anew): residuals r = x̃ − x, difference columns V = Δr and W = Δx̃
// kept across iterations and, for `windowsReused` windows, across windows; the
// QR factorisation of the preconditioned V, updated column by column and kept
// well-conditioned by a filter; the first iteration ever relaxed by a
// constant factor. The subclass says how a step follows from V, W and r.
//
// Filters (limit ε):
//   qr1  delete every column whose |R_ii| < ε ‖R‖_F, one at a time;
//   qr2  from the newest column to the oldest, leave out each column that
//        keeps less than ε of its norm when orthogonalised against the newer
//        ones (so an old column that the new ones make redundant goes, never
//        the newest information): preCICE rebuilds the factorisation to find
//        them every iteration; here the updated factorisation's R_ii say it
//        (the same test), and it is rebuilt only when the weights change;
//   qr3  keep the updated factorisation unless some |R_ii| < ε ‖V_i‖ or a
//        column failed to go in, then rebuild as qr2.
// A column that cannot be orthogonalised at all is never taken in, whatever
// the filter, nor one whose ‖Δr‖ is at the level of rounding (≤ 1e-13 ‖x̃‖).
// Columns never exceed the vector's length.
//
// Everything is allocated in initialize(): an iteration allocates nothing.
//
// The O(n · columns) work (the products with V, W and Q, the factorisation's
// updates, the columns' norms) runs on a column algebra
// (threads/column-algebra.ts): across `threads` threads when the vector is
// large enough to pay for them, with the same result bits on any count.

import { AcceleratedVector } from "./accelerated-vector.ts";
import type { AcceleratedLayout, Acceleration } from "./acceleration.ts";
import { ColumnHistory } from "./column-history.ts";
import type { Preconditioner } from "./preconditioner.ts";
import { QrFactorization } from "./qr-factorization.ts";
import { ColumnAlgebra } from "./threads/column-algebra.ts";
import { underRelax } from "./under-relaxation.ts";

export type QrFilter = "none" | "qr1" | "qr2" | "qr3";

/** ‖Δr‖ ≤ NOISE · ‖x̃‖: a difference column of rounding only, not taken in. */
const NOISE = 1e-13;

export const qrFilters: readonly QrFilter[] = ["none", "qr1", "qr2", "qr3"];

export interface QuasiNewtonSettings {
  /** ω of the very first iteration, in (0, 1]. */
  initialRelaxation: number;
  /** At most this many columns (and never more than the vector's length). */
  maxColumns: number;
  /** Windows whose columns are kept after they converged; 0 keeps the last window's for the next window's first step only. */
  windowsReused: number;
  filter: QrFilter;
  filterLimit: number;
  preconditioner: Preconditioner;
  /**
   * Threads the column products may use, the calling thread's included
   * (default 1). Workers start in initialize() only when the vector is large
   * (threads/column-algebra.ts's MIN_THREADED_ROWS); the results are the same
   * bits on any count. close() ends them.
   */
  threads?: number;
}

export abstract class QuasiNewtonAcceleration implements Acceleration {
  abstract readonly name: string;
  protected vector: AcceleratedVector | undefined;
  protected size = 0;
  protected history = new ColumnHistory(0, 0);
  protected qr = new QrFactorization(0, 0);
  protected algebra = new ColumnAlgebra(0);
  /** x̃ (gathered from the views), x (the iterate the attempt read), r = x̃ − x. */
  protected values: Float64Array = new Float64Array(0);
  protected previous: Float64Array = new Float64Array(0);
  protected residual: Float64Array = new Float64Array(0);
  /** The preconditioned residual, and the step. */
  protected scaled: Float64Array = new Float64Array(0);
  protected step: Float64Array = new Float64Array(0);
  /** Least-squares coefficients, one per column. */
  protected coefficients = new Float64Array(0);
  /** ω of the first iteration, as underRelax takes it. */
  private readonly initialRelaxation: Float64Array;
  private oldResidual = new Float64Array(0);
  private oldValues = new Float64Array(0);
  private deltaResidual = new Float64Array(0);
  private deltaValues = new Float64Array(0);
  private refused = new Uint8Array(0);
  /** ‖P V_j‖² for every column, for the conditioning and the filters. */
  private columnSquares = new Float64Array(0);
  /** columnSquares are those of V as it is now (a filter measured them and changed nothing since). */
  private squaresCurrent = false;
  protected firstIteration = true;
  /** True until a window took more than one iteration (then differences exist). */
  protected firstWindow = true;
  private qr3Rebuild = false;
  private qr2Rebuild = false;
  private stepConditioning = 1;
  /** Columns deleted by the filter and dropped for the limit or reuse so far (for records and tests). */
  filtered = 0;
  dropped = 0;
  /** Difference columns left out as rounding noise. */
  skipped = 0;

  constructor(protected readonly settings: QuasiNewtonSettings) {
    if (!(settings.initialRelaxation > 0 && settings.initialRelaxation <= 1)) {
      throw new Error(`the initial relaxation must be in (0, 1], got ${settings.initialRelaxation}`);
    }
    this.initialRelaxation = Float64Array.of(settings.initialRelaxation);
    if (!(Number.isInteger(settings.maxColumns) && settings.maxColumns >= 1)) {
      throw new Error(`max_columns must be a positive integer, got ${settings.maxColumns}`);
    }
    if (!(Number.isInteger(settings.windowsReused) && settings.windowsReused >= 0)) {
      throw new Error(`windows_reused must be a whole number ≥ 0, got ${settings.windowsReused}`);
    }
    const threads = settings.threads ?? 1;
    if (!(Number.isInteger(threads) && threads >= 1 && threads <= 256)) {
      throw new Error(`threads must be a whole number from 1 to 256, got ${threads}`);
    }
  }

  /** Threads the column products run on (1 until initialize(), and for a vector too short to share). */
  get threads(): number {
    return this.algebra.threads;
  }

  /** Ends the threads, if any were started; the acceleration must not be used afterwards. */
  async close(): Promise<void> {
    await this.algebra.close();
  }

  /** Columns in the least-squares system now. */
  get columns(): number {
    return this.history.columns;
  }

  /**
   * For the least-squares system the last step was solved with, the smallest
   * |R_ii| / ‖P V_i‖: the least share of a column that is not already in the
   * newer columns (1 without columns). Near 0 the system is singular; the qr2
   * and qr3 filters keep it at or above their limit.
   */
  conditioning(): number {
    return this.stepConditioning;
  }

  private measureConditioning(): void {
    const qr = this.qr;
    const squares = this.columnSquares;
    if (!this.squaresCurrent) {
      this.algebra.weightedSquares(this.history.v, 0, qr.cols, this.settings.preconditioner.weights, squares);
    }
    this.squaresCurrent = false;
    let smallest = 1;
    for (let index = 0; index < qr.cols; index++) {
      const share = Math.abs(qr.r[index * qr.capacity + index] as number) / Math.sqrt(squares[index] as number);
      if (share < smallest) smallest = share;
    }
    this.stepConditioning = smallest;
  }

  initialize(layout: AcceleratedLayout): void {
    const vector = new AcceleratedVector(layout);
    this.vector = vector;
    const size = vector.length;
    this.size = size;
    const capacity = Math.min(this.settings.maxColumns, size);
    void this.algebra.close();
    const algebra = new ColumnAlgebra(size, {
      threads: this.settings.threads ?? 1,
      maxColumns: this.factorizationCapacity(size, capacity),
    });
    this.algebra = algebra;
    this.history = new ColumnHistory(size, capacity, algebra);
    this.qr = new QrFactorization(size, capacity + 1, this.settings.filterLimit, algebra);
    this.values = algebra.allocate(size);
    this.previous = algebra.allocate(size);
    this.residual = algebra.allocate(size);
    this.scaled = algebra.allocate(size);
    this.step = algebra.allocate(size);
    this.columnSquares = new Float64Array(capacity + 1);
    this.coefficients = new Float64Array(capacity + 1);
    this.oldResidual = new Float64Array(size);
    this.oldValues = new Float64Array(size);
    this.deltaResidual = new Float64Array(size);
    this.deltaValues = new Float64Array(size);
    this.refused = new Uint8Array(capacity + 1);
    this.settings.preconditioner.initialize(vector.fieldOffsets, (length) => algebra.allocate(length));
    this.firstIteration = true;
    this.firstWindow = true;
    this.initializeMethod(size, capacity);
  }

  perform(_window: number, iteration: number): void {
    const vector = this.vector as AcceleratedVector;
    this.measure(vector, iteration);
    this.updateDifferences();
    if ((this.firstIteration && this.firstWindow) || (this.history.columns === 0 && !this.canStepWithoutColumns())) {
      // Nothing to build a secant step from yet: relax.
      underRelax(this.previous, this.values, this.size, this.initialRelaxation);
      vector.scatter(this.previous);
      this.firstIteration = false;
      return;
    }
    const preconditioner = this.settings.preconditioner;
    preconditioner.update(false, this.values, this.residual);
    this.refactorIfRescaled();
    this.applyFilter();
    this.measureConditioning();
    const scaled = this.scaled;
    const weights = preconditioner.weights;
    for (let index = 0; index < this.size; index++) {
      scaled[index] = (this.residual[index] as number) * (weights[index] as number);
    }
    this.computeStep(this.step);
    const previous = this.previous;
    for (let index = 0; index < this.size; index++) {
      previous[index] = (this.values[index] as number) + (this.step[index] as number);
    }
    vector.scatter(previous);
    if (this.firstIteration && this.settings.windowsReused === 0) {
      // The last window's columns served this first step; from here the window builds its own.
      this.clearColumns();
    }
    this.firstIteration = false;
  }

  windowConverged(_window: number): void {
    const vector = this.vector as AcceleratedVector;
    // The last x̃ adds the window's last difference, as preCICE does once a window converged.
    this.measure(vector, this.firstIteration ? 0 : 1);
    this.updateDifferences();
    this.methodWindowConverged();
    if (!this.firstIteration) this.firstWindow = false;
    this.settings.preconditioner.update(true, this.values, this.residual);
    const reused = this.settings.windowsReused;
    if (reused > 0 && this.history.windows > reused) {
      for (let count = this.history.oldestWindowColumns(); count > 0; count--) this.dropOldest();
    }
    this.history.closeWindow();
    this.firstIteration = true;
  }

  /** The most columns a factorisation of the method holds (its pseudo-inverse's scratch is sized by it). */
  protected factorizationCapacity(_size: number, capacity: number): number {
    return capacity + 1;
  }

  /** Sizes the method's own buffers; called once from initialize(). */
  protected initializeMethod(_size: number, _capacity: number): void {}

  /** Whether a step can be taken with no columns (IQN-IMVJ can, from its Jacobian of earlier windows). */
  protected canStepWithoutColumns(): boolean {
    return false;
  }

  /** step ← the quasi-Newton step, given `scaled` = P r, the factorisation of P V and W. */
  protected abstract computeStep(step: Float64Array): void;

  /** After the window's last difference went in, before the history moves on. */
  protected methodWindowConverged(): void {}

  /** Takes a column into the history (a hook for IQN-IMVJ's restart store). */
  protected columnAdded(_deltaResidual: Float64Array, _deltaValues: Float64Array): void {}

  /** Rebuilds the factorisation when the preconditioner's weights changed since it was built. */
  protected refactorIfRescaled(): void {
    const preconditioner = this.settings.preconditioner;
    if (!preconditioner.changed) return;
    if (this.settings.filter !== "qr2") this.rebuild(false);
    if (this.settings.filter === "qr3") this.qr3Rebuild = true;
    // qr2 refactorises in its filter, once, with the new weights.
    if (this.settings.filter === "qr2") this.qr2Rebuild = true;
    preconditioner.changed = false;
  }

  protected applyFilter(): void {
    this.squaresCurrent = false;
    const limit = this.settings.filterLimit;
    switch (this.settings.filter) {
      case "none":
        return;
      case "qr1": {
        const qr = this.qr;
        const r = qr.r;
        const capacity = qr.capacity;
        for (let index = 0; index < qr.cols && qr.cols > 1; index++) {
          // ‖R‖_F (= ‖P V‖_F), recomputed after every deletion.
          let squares = 0;
          for (let row = 0; row < qr.cols; row++) {
            for (let column = row; column < qr.cols; column++) squares += (r[row * capacity + column] as number) ** 2;
          }
          if (Math.abs(r[index * capacity + index] as number) < limit * Math.sqrt(squares)) {
            qr.remove(index);
            this.history.remove(index);
            this.filtered++;
            index = -1;
          }
        }
        return;
      }
      case "qr2":
        if (this.qr2Rebuild) {
          this.rebuild(true);
          this.qr2Rebuild = false;
        } else {
          this.filterInOrder();
        }
        return;
      case "qr3": {
        const squares = this.columnSquares;
        if (!this.qr3Rebuild) {
          this.algebra.weightedSquares(this.history.v, 0, this.qr.cols, this.settings.preconditioner.weights, squares);
        }
        for (let index = this.qr.cols - 1; index > 0 && !this.qr3Rebuild; index--) {
          const diagonal = this.qr.r[index * this.qr.capacity + index] as number;
          if (Math.abs(diagonal) < limit * Math.sqrt(squares[index] as number)) this.qr3Rebuild = true;
        }
        if (this.qr3Rebuild) this.rebuild(true);
        else this.squaresCurrent = true;
        this.qr3Rebuild = false;
        return;
      }
    }
  }

  /**
   * qr2 on the factorisation as it stands: from the newest column to the
   * oldest, delete each whose |R_ii| < limit ‖P V_i‖ (the part of it that is
   * not in the newer ones), the factorisation updated by rotations. In exact
   * arithmetic this deletes the columns the rebuild from scratch deletes (its
   * R_ii are the same), in O(n·m) per iteration instead of O(n·m²); a rebuild
   * still follows every change of the preconditioner's weights.
   */
  private filterInOrder(): void {
    const qr = this.qr;
    const r = qr.r;
    const capacity = qr.capacity;
    const limit = this.settings.filterLimit;
    // Every column's norm at once (each is its own sum, so the same as one at a time); a deletion shifts them with V.
    const squares = this.columnSquares;
    this.algebra.weightedSquares(this.history.v, 0, qr.cols, this.settings.preconditioner.weights, squares);
    for (let index = 1; index < qr.cols; ) {
      if (Math.abs(r[index * capacity + index] as number) < limit * Math.sqrt(squares[index] as number)) {
        squares.copyWithin(index, index + 1, qr.cols);
        qr.remove(index);
        this.history.remove(index);
        this.filtered++;
        continue;
      }
      index++;
    }
    this.squaresCurrent = true;
  }

  /** Refactorises P V from the newest column on, leaving out (and deleting) the columns the filter's limit refuses when `filtered`. */
  protected rebuild(filtered: boolean): void {
    const history = this.history;
    const weights = this.settings.preconditioner.weights;
    const refused = this.refused;
    this.qr.reset();
    let any = false;
    for (let index = 0; index < history.columns; index++) {
      const taken = this.qr.insert(this.qr.cols, history.v, index * this.size, weights, filtered);
      refused[index] = taken ? 0 : 1;
      if (!taken) any = true;
    }
    if (!any) return;
    for (let index = history.columns - 1; index >= 0; index--) {
      if ((refused[index] as number) === 1) {
        history.remove(index);
        this.filtered++;
      }
    }
  }

  protected clearColumns(): void {
    this.history.clear();
    this.qr.reset();
  }

  /** Gathers x̃, the iterate it was computed from, and r = x̃ − x. */
  private measure(vector: AcceleratedVector, iteration: number): void {
    if (iteration === 0) vector.gatherStart(this.previous);
    vector.gather(this.values);
    const residual = this.residual;
    for (let index = 0; index < this.size; index++) {
      residual[index] = (this.values[index] as number) - (this.previous[index] as number);
    }
  }

  /** Adds Δr, Δx̃ against the last iteration (none in a window's first), then remembers this one. */
  private updateDifferences(): void {
    if (!this.firstIteration) {
      const deltaResidual = this.deltaResidual;
      const deltaValues = this.deltaValues;
      for (let index = 0; index < this.size; index++) {
        deltaResidual[index] = (this.residual[index] as number) - (this.oldResidual[index] as number);
        deltaValues[index] = (this.values[index] as number) - (this.oldValues[index] as number);
      }
      this.addColumn(deltaResidual, deltaValues);
    }
    this.oldResidual.set(this.residual);
    this.oldValues.set(this.values);
  }

  private addColumn(deltaResidual: Float64Array, deltaValues: Float64Array): void {
    // A difference at the level of rounding says nothing about the Jacobian: two iterations that both sit
    // on the fixed point differ by noise, and a noise column (whose Δx̃ may be exactly 0) would soak up the
    // residual in the least-squares fit and stall the iteration. (preCICE warns about it and takes it in.)
    let change = 0;
    let size = 0;
    for (let index = 0; index < this.size; index++) {
      change += (deltaResidual[index] as number) ** 2;
      size += (this.values[index] as number) ** 2;
    }
    if (!(change > NOISE * NOISE * size)) {
      this.skipped++;
      return;
    }
    const history = this.history;
    const weights = this.settings.preconditioner.weights;
    // A full history makes room by dropping its oldest column: after the new one goes in, unless the system is square.
    const dropFirst = history.full && history.capacity >= this.size;
    if (dropFirst) this.dropOldest();
    if (!this.qr.insert(0, deltaResidual, 0, weights, false)) return;
    if (history.full) {
      this.qr.removeLast();
      history.removeLast();
      this.dropped++;
    }
    history.insertFront(deltaResidual, deltaValues);
    this.columnAdded(deltaResidual, deltaValues);
  }

  private dropOldest(): void {
    this.qr.removeLast();
    this.history.removeLast();
    this.dropped++;
  }
}
