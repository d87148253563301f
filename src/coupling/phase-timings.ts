// Per-phase timing samples of a run, recorded into preallocated arrays so the
// loop allocates nothing.
import { type Distribution, summarize } from "../stats/distribution.ts";

export class PhaseTimings {
  private readonly samples = new Map<string, Float64Array>();
  private readonly counts = new Map<string, number>();

  constructor(
    phases: readonly string[],
    private readonly capacity: number,
  ) {
    for (const phase of phases) {
      this.samples.set(phase, new Float64Array(capacity));
      this.counts.set(phase, 0);
    }
  }

  /** The array to record into; callers keep it to avoid a map lookup per sample. */
  recorder(phase: string): { values: Float64Array; phase: string } {
    const values = this.samples.get(phase);
    if (values === undefined) throw new Error(`no timing phase "${phase}"`);
    return { values, phase };
  }

  setCount(phase: string, count: number): void {
    this.counts.set(phase, Math.min(count, this.capacity));
  }

  /** Distributions in nanoseconds, by phase. */
  summaries(): { phase: string; distribution: Distribution }[] {
    return [...this.samples].map(([phase, values]) => ({
      phase,
      distribution: summarize(values, this.counts.get(phase) ?? 0),
    }));
  }

  raw(phase: string): Float64Array {
    const values = this.samples.get(phase);
    return values === undefined ? new Float64Array(0) : values.subarray(0, this.counts.get(phase) ?? 0);
  }
}
