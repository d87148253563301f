// Constant under-relaxation: x_{k+1} = ω x̃_{k+1} + (1 − ω) x_k over every
// sample of every accelerated field, as preCICE's constant acceleration.

import { AcceleratedVector } from "./accelerated-vector.ts";
import type { AcceleratedLayout, Acceleration } from "./acceleration.ts";
import { underRelax } from "./under-relaxation.ts";

export class ConstantRelaxation implements Acceleration {
  readonly name = "constant";
  private vector: AcceleratedVector | undefined;
  /** x_k, the iterate the last attempt read. */
  private previous = new Float64Array(0);
  private values = new Float64Array(0);
  /** ω, as underRelax takes it. */
  private readonly omega: Float64Array;

  constructor(relaxation: number) {
    if (!(relaxation > 0 && relaxation <= 1))
      throw new Error(`constant relaxation must be in (0, 1], got ${relaxation}`);
    this.omega = Float64Array.of(relaxation);
  }

  initialize(layout: AcceleratedLayout): void {
    this.vector = new AcceleratedVector(layout);
    this.previous = new Float64Array(this.vector.length);
    this.values = new Float64Array(this.vector.length);
  }

  perform(_window: number, iteration: number): void {
    const vector = this.vector as AcceleratedVector;
    if (iteration === 0) vector.gatherStart(this.previous);
    vector.gather(this.values);
    underRelax(this.previous, this.values, this.values.length, this.omega);
    vector.scatter(this.previous);
  }

  windowConverged(_window: number): void {}
}
