// Aitken's dynamic under-relaxation, as preCICE's: the factor of iteration
// k ≥ 1 is ω_k = −ω_{k−1} (r_{k−1} · (r_k − r_{k−1})) / ‖r_k − r_{k−1}‖², the
// residuals r = x̃ − x taken at each field's last sample (the window's end);
// the first iteration of every window takes the last factor's sign and at
// most the initial factor's size. With several fields the residuals are
// scaled by the preconditioner first. The relaxation itself applies to every
// sample.

import { AcceleratedVector } from "./accelerated-vector.ts";
import type { AcceleratedLayout, Acceleration } from "./acceleration.ts";
import { Preconditioner } from "./preconditioner.ts";
import { underRelax } from "./under-relaxation.ts";

export class AitkenRelaxation implements Acceleration {
  readonly name = "aitken";
  private vector: AcceleratedVector | undefined;
  private previous = new Float64Array(0);
  private values = new Float64Array(0);
  /** Over the window-end samples only. */
  private endResidual = new Float64Array(0);
  private previousEndResidual = new Float64Array(0);
  private endOffsets = new Int32Array(0);
  // A number from the start (not undefined until the constructor runs), so V8 stores the factor in place.
  private omega = 0;
  /** ω, as underRelax takes it. */
  private readonly omegaWord = new Float64Array(1);

  constructor(
    private readonly initialRelaxation: number,
    private readonly preconditioner: Preconditioner = new Preconditioner("residual-sum"),
  ) {
    if (!(initialRelaxation > 0 && initialRelaxation <= 1)) {
      throw new Error(`Aitken's initial relaxation must be in (0, 1], got ${initialRelaxation}`);
    }
    this.omega = initialRelaxation;
  }

  /** The factor applied last (for tests and records). */
  get factor(): number {
    return this.omega;
  }

  initialize(layout: AcceleratedLayout): void {
    const vector = new AcceleratedVector(layout);
    this.vector = vector;
    this.previous = new Float64Array(vector.length);
    this.values = new Float64Array(vector.length);
    this.endOffsets = new Int32Array(vector.fieldCount + 1);
    for (let field = 0; field < vector.fieldCount; field++) {
      this.endOffsets[field + 1] = (this.endOffsets[field] as number) + (vector.pointCounts[field] as number);
    }
    const endLength = this.endOffsets[vector.fieldCount] as number;
    this.endResidual = new Float64Array(endLength);
    this.previousEndResidual = new Float64Array(endLength);
    this.preconditioner.initialize(this.endOffsets);
    this.omega = this.initialRelaxation;
  }

  perform(_window: number, iteration: number): void {
    const vector = this.vector as AcceleratedVector;
    if (iteration === 0) vector.gatherStart(this.previous);
    vector.gather(this.values);
    this.endResiduals(vector);
    const several = vector.fieldCount > 1;
    if (several) this.preconditioner.update(false, this.endResidual, this.endResidual);
    const residual = this.endResidual;
    const before = this.previousEndResidual;
    if (iteration === 0) {
      this.omega = Math.sign(this.omega) * Math.min(this.initialRelaxation, Math.abs(this.omega));
    } else {
      const weights = this.preconditioner.weights;
      let numerator = 0;
      let denominator = 0;
      for (let index = 0; index < residual.length; index++) {
        const weight = several ? (weights[index] as number) : 1;
        const old = (before[index] as number) * weight;
        const delta = ((residual[index] as number) - (before[index] as number)) * weight;
        numerator += old * delta;
        denominator += delta * delta;
      }
      const next = (-this.omega * numerator) / denominator;
      // Two equal residuals say nothing new: keep the factor rather than divide by zero.
      if (Number.isFinite(next) && next !== 0) this.omega = next;
    }
    this.omegaWord[0] = this.omega;
    underRelax(this.previous, this.values, this.values.length, this.omegaWord);
    vector.scatter(this.previous);
    before.set(residual);
  }

  windowConverged(_window: number): void {
    if ((this.vector as AcceleratedVector).fieldCount > 1)
      this.preconditioner.update(true, this.values, this.endResidual);
  }

  private endResiduals(vector: AcceleratedVector): void {
    const residual = this.endResidual;
    let at = 0;
    for (let field = 0; field < vector.fieldCount; field++) {
      const offset = vector.lastSampleOffsets[field] as number;
      const count = vector.pointCounts[field] as number;
      for (let index = 0; index < count; index++) {
        residual[at++] = (this.values[offset + index] as number) - (this.previous[offset + index] as number);
      }
    }
  }
}
