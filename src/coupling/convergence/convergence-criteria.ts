// coupling/convergence/ owns an implicit window's convergence measures: each field's change per iteration, and the verdict.
// It must not decide what comes next: the schemes repeat or end the window, the acceleration makes the next iterate.

// The convergence measures of an implicit scheme, per field: absolute
// ‖Δ‖₂ ≤ limit, relative ‖Δ‖₂ ≤ limit · ‖x̃‖₂, residual-relative
// ‖Δ‖₂ ≤ limit · ‖Δ₀‖₂ (Δ₀ the window's first iteration's). A window has
// converged when every measure holds (AND) and it has taken at least
// min_iterations. Every iteration's ‖Δ‖ and ‖Δ‖ / ‖x̃‖ of every measure are kept,
// in preallocated arrays, for the run record.
import type { ConvergenceMeasureKind } from "../plan.ts";
import type { WaveformChange } from "./waveform-change.ts";

export interface MeasureSpec {
  /** The field as the composition names it. */
  label: string;
  kind: ConvergenceMeasureKind;
  limit: number;
  change: WaveformChange;
}

/** One iteration's residual of one field, as the run record keeps it. */
export interface Residual {
  absolute: number;
  relative: number;
}

export class ConvergenceCriteria {
  private readonly absolute: Float64Array;
  private readonly relative: Float64Array;
  private readonly first: Float64Array;
  /** [iteration][measure][absolute, relative] of the window under way. */
  private readonly history: Float64Array;
  private iterations = 0;

  constructor(
    readonly measures: readonly MeasureSpec[],
    private readonly maxIterations: number,
  ) {
    this.absolute = new Float64Array(measures.length);
    this.relative = new Float64Array(measures.length);
    this.first = new Float64Array(measures.length);
    this.history = new Float64Array(maxIterations * measures.length * 2);
  }

  /** The changes to snapshot before mapping and to measure after (each once, however many measures use it). */
  get changes(): WaveformChange[] {
    return [...new Set(this.measures.map((measure) => measure.change))];
  }

  /**
   * After iteration `iteration` (0-based) of the window, its changes measured:
   * whether every measure holds and the window has taken min_iterations.
   */
  evaluate(iteration: number, minIterations: number): boolean {
    const measures = this.measures;
    let all = true;
    for (let index = 0; index < measures.length; index++) {
      const measure = measures[index] as MeasureSpec;
      const norms = measure.change.norms;
      const change = norms[0] as number;
      const size = norms[1] as number;
      if (iteration === 0) this.first[index] = change;
      this.absolute[index] = change;
      this.relative[index] = size > 0 ? change / size : change === 0 ? 0 : Number.POSITIVE_INFINITY;
      let holds: boolean;
      if (measure.kind === "absolute") holds = change <= measure.limit;
      else if (measure.kind === "relative") holds = change <= measure.limit * size;
      else holds = change <= measure.limit * (this.first[index] as number);
      // NaN never holds: a diverging field cannot pass for converged.
      if (!holds) all = false;
      if (iteration < this.maxIterations) {
        const at = (iteration * measures.length + index) * 2;
        this.history[at] = change;
        this.history[at + 1] = this.relative[index] as number;
      }
    }
    this.iterations = Math.min(iteration + 1, this.maxIterations);
    return all && iteration + 1 >= minIterations;
  }

  /** The residuals of the window's iterations so far, by field (allocates: called once per window). */
  windowResiduals(): Record<string, Residual[]> {
    const result: Record<string, Residual[]> = {};
    const measures = this.measures;
    measures.forEach((measure, index) => {
      const list: Residual[] = [];
      for (let iteration = 0; iteration < this.iterations; iteration++) {
        const at = (iteration * measures.length + index) * 2;
        list.push({ absolute: this.history[at] as number, relative: this.history[at + 1] as number });
      }
      // Two measures of one field (say absolute and relative) record its residuals once.
      result[measure.label] ??= list;
    });
    return result;
  }

  /** "Neumann.interface.T ‖Δ‖ = 3.1e-9 (relative 2.0e-10, limit 1e-10)": the measures that do not hold, for errors. */
  describeFailing(): string {
    const parts: string[] = [];
    this.measures.forEach((measure, index) => {
      const change = this.absolute[index] as number;
      const value =
        measure.kind === "absolute"
          ? change
          : measure.kind === "relative"
            ? (this.relative[index] as number)
            : change / (this.first[index] as number);
      if (value <= measure.limit) return;
      parts.push(`${measure.label} ${measure.kind} ${value.toExponential(2)} (limit ${measure.limit})`);
    });
    return parts.join("; ");
  }
}
