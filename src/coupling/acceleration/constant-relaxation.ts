// Constant under-relaxation: x_{k+1} = ω x̃_{k+1} + (1 − ω) x_k over every
// sample of every accelerated field, as preCICE's constant acceleration.
// (Relaxation loops are written out where used: a double passed to a call
// that is not inlined is boxed, which would allocate on the hot path.)

import { AcceleratedVector } from "./accelerated-vector.ts";
import type { AcceleratedLayout, Acceleration } from "./acceleration.ts";

export class ConstantRelaxation implements Acceleration {
  readonly name = "constant";
  private vector: AcceleratedVector | undefined;
  /** x_k, the iterate the last attempt read. */
  private previous = new Float64Array(0);
  private values = new Float64Array(0);

  constructor(private readonly relaxation: number) {
    if (!(relaxation > 0 && relaxation <= 1))
      throw new Error(`constant relaxation must be in (0, 1], got ${relaxation}`);
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
    const omega = this.relaxation;
    const keep = 1 - omega;
    const values = this.values;
    const previous = this.previous;
    for (let index = 0; index < values.length; index++) {
      previous[index] = omega * (values[index] as number) + keep * (previous[index] as number);
    }
    vector.scatter(previous);
  }

  windowConverged(_window: number): void {}
}
