// IQN-IMVJ, the interface quasi-Newton method with an explicit multi-vector
// Jacobian (Lindner et al. 2015): an inverse Jacobian J carried from window to
// window, J_k = J_prev + (W − J_prev V) Z with Z = (VᵀV)⁻¹Vᵀ (R⁻¹ Qᵀ P from the
// factorisation of P V), the step x_{k+1} = x̃_k − J_k r_k, computed without
// forming J_k: −J_k r = J_prev(−r − V t) + W t with t = −Z r.
//
// How J_prev is kept (restart):
//   none    dense n × n, updated with the window's (W − J_prev V) Z;
//   rs-0    as the window's terms (W − J_prev V) and Z, for `chunk` windows,
//           then dropped (a restart from zero);
//   rs-ls   as rs-0, but a restart starts again from the least-squares
//           Jacobian of the columns of the last `reusedWindows` windows;
//   rs-svd  as rs-0, but a restart compresses the terms into a truncated SVD
//           (singular values below `truncation` × the largest dropped).
// As preCICE's IQNIMVJAcceleration with its efficient update; written anew.
import { ColumnHistory } from "./column-history.ts";
import { FactoredJacobian } from "./factored-jacobian.ts";
import { QrFactorization } from "./qr-factorization.ts";
import { QuasiNewtonAcceleration, type QuasiNewtonSettings } from "./quasi-newton.ts";

// The modes a composition names (compose/schema.ts holds the list the file is checked against).
export type RestartMode = "none" | "rs-0" | "rs-ls" | "rs-svd";

export interface RestartSettings {
  mode: RestartMode;
  /** Windows between restarts. */
  chunk: number;
  /** rs-svd: singular values below this fraction of the largest are dropped. */
  truncation: number;
  /** rs-ls: windows whose columns make the Jacobian a restart starts from. */
  reusedWindows: number;
}

export class IqnImvj extends QuasiNewtonAcceleration {
  readonly name = "iqn-imvj";
  private dense = new Float64Array(0);
  private factored = new FactoredJacobian(0, 0);
  /** Windows whose terms are in `factored` (a compressed restart counts as one). */
  private termWindows = 0;
  private hasJacobian = false;
  /** Z (columns × n, row-major) of the converged window, and W − J_prev V (n × columns, column-major). */
  private pseudoInverse: Float64Array = new Float64Array(0);
  private correction: Float64Array = new Float64Array(0);
  private work: Float64Array = new Float64Array(0);
  private least = new ColumnHistory(0, 0);
  private leastQr = new QrFactorization(0, 0);
  private leastInverse: Float64Array = new Float64Array(0);
  private maxRank = 0;

  constructor(
    settings: QuasiNewtonSettings,
    private readonly restart: RestartSettings = { mode: "rs-svd", chunk: 8, truncation: 1e-4, reusedWindows: 8 },
  ) {
    super(settings);
    if (!(Number.isInteger(restart.chunk) && restart.chunk >= 1)) {
      throw new Error(`the restart chunk must be a positive integer, got ${restart.chunk}`);
    }
    if (!(restart.truncation >= 0 && restart.truncation < 1)) {
      throw new Error(`the restart truncation must be in [0, 1), got ${restart.truncation}`);
    }
  }

  /** Terms (rank-one products) holding the Jacobian of earlier windows, for tests and records. */
  get jacobianTerms(): number {
    return this.restart.mode === "none" ? (this.hasJacobian ? this.size : 0) : this.factored.columns;
  }

  protected override factorizationCapacity(size: number, capacity: number): number {
    return Math.max(capacity + 1, this.leastCapacity(size, capacity));
  }

  /** rs-ls: the columns of the windows a restart starts from. */
  private leastCapacity(size: number, capacity: number): number {
    return Math.max(1, Math.min(Math.floor((size - 1) / 2), this.restart.reusedWindows * capacity));
  }

  protected override initializeMethod(size: number, capacity: number): void {
    const algebra = this.algebra;
    this.pseudoInverse = algebra.allocate(capacity * size);
    this.correction = algebra.allocate(size * capacity);
    this.work = algebra.allocate(size);
    this.hasJacobian = false;
    this.termWindows = 0;
    const chunk = this.restart.chunk;
    switch (this.restart.mode) {
      case "none":
        this.dense = new Float64Array(size * size);
        break;
      case "rs-0":
        this.factored = new FactoredJacobian(size, (chunk + 1) * capacity, algebra);
        break;
      case "rs-svd":
        // A restart keeps at most a chunk's worth of modes, so the terms stay bounded.
        this.maxRank = Math.min(size, (chunk + 1) * capacity);
        this.factored = new FactoredJacobian(size, this.maxRank + (chunk + 1) * capacity, algebra);
        break;
      case "rs-ls": {
        const leastCapacity = this.leastCapacity(size, capacity);
        this.least = new ColumnHistory(size, leastCapacity, algebra);
        this.leastQr = new QrFactorization(size, leastCapacity, this.settings.filterLimit, algebra);
        this.leastInverse = algebra.allocate(leastCapacity * size);
        this.factored = new FactoredJacobian(size, leastCapacity + (chunk + 1) * capacity, algebra);
        break;
      }
    }
  }

  protected override canStepWithoutColumns(): boolean {
    return this.hasJacobian;
  }

  protected computeStep(step: Float64Array): void {
    const qr = this.qr;
    const t = this.coefficients;
    const rows = this.size;
    qr.solve(this.scaled, t);
    for (let column = 0; column < qr.cols; column++) t[column] = -(t[column] as number);
    // work = −r − V t; step = W t + J_prev work
    const work = this.work;
    for (let row = 0; row < rows; row++) work[row] = -(this.residual[row] as number);
    step.fill(0);
    this.algebra.addColumns(this.history.v, 0, qr.cols, t, true, false, work, 0);
    this.algebra.addColumns(this.history.w, 0, qr.cols, t, false, false, step, 0);
    this.multiplyPrevious(work, 0, step, 0);
  }

  protected override methodWindowConverged(): void {
    // The window's last column is in: filter as an iteration would, then fold the window into J.
    this.refactorIfRescaled();
    this.applyFilter();
    const columns = this.qr.cols;
    if (columns > 0) {
      this.computePseudoInverse(this.qr, this.pseudoInverse);
      this.computeCorrection(columns);
      if (this.restart.mode === "none") this.addToDense(columns);
      else this.addTerms(columns);
      this.hasJacobian = true;
    }
    if (this.restart.mode === "rs-ls") this.least.closeWindow();
    if (this.restart.mode === "rs-ls" && this.least.windows > this.restart.reusedWindows) {
      for (let count = this.least.oldestWindowColumns(); count > 0; count--) this.least.removeLast();
    }
  }

  protected override columnAdded(deltaResidual: Float64Array, deltaValues: Float64Array): void {
    if (this.restart.mode !== "rs-ls") return;
    if (this.least.full) this.least.removeLast();
    this.least.insertFront(deltaResidual, deltaValues);
  }

  /** out ← out + J_prev x. */
  private multiplyPrevious(x: Float64Array, xOffset: number, out: Float64Array, outOffset: number): void {
    if (!this.hasJacobian) return;
    if (this.restart.mode !== "none") {
      this.factored.multiplyAdd(x, xOffset, out, outOffset);
      return;
    }
    const rows = this.size;
    const dense = this.dense;
    for (let row = 0; row < rows; row++) {
      let value = 0;
      const base = row * rows;
      for (let column = 0; column < rows; column++)
        value += (dense[base + column] as number) * (x[xOffset + column] as number);
      out[outOffset + row] = (out[outOffset + row] as number) + value;
    }
  }

  /** into (cols × rows, row-major) ← R⁻¹ Qᵀ P: a left inverse of V in the preconditioner's weights. */
  private computePseudoInverse(qr: QrFactorization, into: Float64Array): void {
    this.algebra.pseudoInverse(qr.q, qr.r, qr.capacity, qr.cols, this.settings.preconditioner.weights, into);
  }

  /** correction ← W − J_prev V, column by column. */
  private computeCorrection(columns: number): void {
    const rows = this.size;
    const correction = this.correction;
    const v = this.history.v;
    const w = this.history.w;
    for (let column = 0; column < columns; column++) {
      const base = column * rows;
      for (let row = 0; row < rows; row++) this.work[row] = 0;
      this.multiplyPrevious(v, base, this.work, 0);
      for (let row = 0; row < rows; row++)
        correction[base + row] = (w[base + row] as number) - (this.work[row] as number);
    }
  }

  private addToDense(columns: number): void {
    const rows = this.size;
    const dense = this.dense;
    const correction = this.correction;
    const z = this.pseudoInverse;
    for (let row = 0; row < rows; row++) {
      const base = row * rows;
      for (let column = 0; column < columns; column++) {
        const factor = correction[column * rows + row] as number;
        if (factor === 0) continue;
        const zBase = column * rows;
        for (let entry = 0; entry < rows; entry++)
          dense[base + entry] = (dense[base + entry] as number) + factor * (z[zBase + entry] as number);
      }
    }
  }

  private addTerms(columns: number): void {
    const rows = this.size;
    const factored = this.factored;
    if (factored.free < columns) this.restartJacobian();
    for (let column = 0; column < columns; column++) {
      factored.append(this.correction, column * rows, this.pseudoInverse, column * rows);
    }
    this.termWindows++;
    if (this.termWindows >= this.restart.chunk + 1) this.restartJacobian();
  }

  private restartJacobian(): void {
    const factored = this.factored;
    switch (this.restart.mode) {
      case "rs-0":
        factored.clear();
        this.termWindows = 0;
        this.hasJacobian = false;
        return;
      case "rs-svd":
        factored.compress(this.settings.preconditioner.weights, this.restart.truncation, this.maxRank);
        this.termWindows = factored.columns > 0 ? 1 : 0;
        this.hasJacobian = factored.columns > 0;
        return;
      case "rs-ls": {
        factored.clear();
        this.termWindows = 0;
        this.hasJacobian = false;
        const least = this.least;
        const qr = this.leastQr;
        const weights = this.settings.preconditioner.weights;
        const filtered = this.settings.filter !== "none";
        qr.reset();
        for (let index = 0; index < least.columns; index++) {
          if (!qr.insert(qr.cols, least.v, index * this.size, weights, filtered)) {
            least.remove(index);
            index--;
          }
        }
        if (qr.cols === 0) return;
        this.computePseudoInverse(qr, this.leastInverse);
        for (let column = 0; column < qr.cols; column++) {
          factored.append(least.w, column * this.size, this.leastInverse, column * this.size);
        }
        this.termWindows = 1;
        this.hasJacobian = true;
        return;
      }
      case "none":
        return;
    }
  }
}
