// Preconditioners: per-field weights that make fields of different magnitude
// (a pressure of 1e4 beside an area of 1) count alike in the quasi-Newton
// least-squares system and in a multi-field Aitken factor. As preCICE's:
// residual-sum (weights 1 / Σ over the window's iterations of the field's share
// of the residual norm; reset only when a weight moves by more than 10×),
// value (1 / ‖field‖, set at the first iteration and at every window's end),
// constant (1 / the configured scaling of each field) and none (ones).
// Weights are stored per value so applying them is one multiply a value.

export type PreconditionerKind = "residual-sum" | "value" | "constant" | "none";

export const preconditionerKinds: readonly PreconditionerKind[] = ["residual-sum", "value", "constant", "none"];

/** Below this a norm counts as zero (preCICE's NUMERICAL_ZERO_DIFFERENCE). */
const NUMERICAL_ZERO = 1e-14;

export class Preconditioner {
  /** Multiply a vector by these to scale it; by `inverse` to unscale it. */
  weights: Float64Array = new Float64Array(0);
  inverse: Float64Array = new Float64Array(0);
  /** The weights changed since the least-squares system was last factorised. */
  changed = false;
  private fieldOffsets: Int32Array = new Int32Array(1);
  private norms = new Float64Array(0);
  private sums = new Float64Array(0);
  private previousSums = new Float64Array(0);
  private firstWindow = true;

  constructor(
    readonly kind: PreconditionerKind,
    /** Constant only: one factor per field. */
    private readonly scaling: readonly number[] = [],
  ) {}

  /** `allocate` makes the weights' arrays (a quasi-Newton acceleration's column algebra shares them with its threads). */
  initialize(
    fieldOffsets: Int32Array,
    allocate: (length: number) => Float64Array = (length) => new Float64Array(length),
  ): void {
    const fields = fieldOffsets.length - 1;
    const length = fieldOffsets[fields] as number;
    this.fieldOffsets = fieldOffsets;
    this.weights = allocate(length).fill(1);
    this.inverse = allocate(length).fill(1);
    this.norms = new Float64Array(fields);
    this.sums = new Float64Array(fields);
    this.previousSums = new Float64Array(fields);
    this.firstWindow = true;
    if (this.kind === "constant") {
      if (this.scaling.length !== fields) {
        throw new Error(
          `the constant preconditioner needs one scaling factor per field (${fields}), got ${this.scaling.length}`,
        );
      }
      for (let field = 0; field < fields; field++) {
        this.norms[field] = this.scaling[field] as number;
        this.setField(field);
      }
    }
  }

  /**
   * After an iteration (windowComplete false) with the new values and residual,
   * or at a window's end (true).
   */
  update(windowComplete: boolean, values: Float64Array, residual: Float64Array): void {
    if (this.kind === "residual-sum") this.updateResidualSum(windowComplete, residual);
    else if (this.kind === "value") this.updateValue(windowComplete, values);
  }

  /** v ← P v */
  apply(vector: Float64Array): void {
    const weights = this.weights;
    for (let index = 0; index < weights.length; index++)
      vector[index] = (vector[index] as number) * (weights[index] as number);
  }

  private updateResidualSum(windowComplete: boolean, residual: Float64Array): void {
    const fields = this.sums.length;
    if (windowComplete) {
      this.firstWindow = false;
      this.sums.fill(0);
      return;
    }
    let total = 0;
    const offsets = this.fieldOffsets;
    for (let field = 0; field < fields; field++) {
      let squares = 0;
      const end = offsets[field + 1] as number;
      for (let index = offsets[field] as number; index < end; index++) squares += (residual[index] as number) ** 2;
      this.norms[field] = Math.sqrt(squares);
      total += squares;
    }
    total = Math.sqrt(total);
    if (total > NUMERICAL_ZERO) {
      for (let field = 0; field < fields; field++) {
        this.sums[field] = (this.sums[field] as number) + (this.norms[field] as number) / total;
      }
    }
    let reset = this.firstWindow;
    for (let field = 0; field < fields && !reset; field++) {
      const sum = this.sums[field] as number;
      if (Math.abs(sum) < NUMERICAL_ZERO) continue;
      const factor = (this.previousSums[field] as number) / sum;
      if (factor > 10 || factor < 0.1) reset = true;
    }
    if (!reset) return;
    for (let field = 0; field < fields; field++) {
      const sum = this.sums[field] as number;
      if (Math.abs(sum) < NUMERICAL_ZERO) continue;
      this.norms[field] = sum;
      this.setField(field);
      this.previousSums[field] = sum;
    }
  }

  private updateValue(windowComplete: boolean, values: Float64Array): void {
    if (!windowComplete && !this.firstWindow) return;
    const offsets = this.fieldOffsets;
    for (let field = 0; field < this.sums.length; field++) {
      let squares = 0;
      const end = offsets[field + 1] as number;
      for (let index = offsets[field] as number; index < end; index++) squares += (values[index] as number) ** 2;
      const norm = Math.sqrt(squares);
      if (norm < NUMERICAL_ZERO) continue;
      this.norms[field] = norm;
      this.setField(field);
    }
    this.firstWindow = false;
  }

  /** Field `field`'s weight becomes 1 / norms[field] (read from the array: a double argument would be boxed). */
  private setField(field: number): void {
    const scale = this.norms[field] as number;
    const end = this.fieldOffsets[field + 1] as number;
    for (let index = this.fieldOffsets[field] as number; index < end; index++) {
      this.weights[index] = 1 / scale;
      this.inverse[index] = scale;
    }
    this.changed = true;
  }
}
