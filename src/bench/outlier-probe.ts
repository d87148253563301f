// Explains slow iterations. Around every iteration it samples, without
// allocating, this process's page faults, context switches and CPU times, and a
// PerformanceObserver collects garbage-collection pauses; afterwards every
// sample above p99 is attributed to the causes seen during it. A sample can
// have several causes, and one without any is counted as unexplained.
import { type PerformanceEntry, PerformanceObserver, performance } from "node:perf_hooks";
import type { IterationProbe } from "../coupling/driver.ts";
import { native } from "../native/index.ts";

export type OutlierCause =
  | "garbage collection"
  | "page faults"
  | "involuntary context switches"
  | "voluntary context switches (a sleep: futex, poll)"
  | "time in the kernel"
  | "unexplained (in a component, or the hypervisor took the vCPU)";

const FIELDS = 6;

export class OutlierProbe implements IterationProbe {
  private readonly starts: Float64Array;
  private readonly ends: Float64Array;
  private readonly before_: Float64Array;
  private readonly after_: Float64Array;
  private readonly scratch = new Float64Array(FIELDS);
  private readonly gcPauses: { start: number; end: number }[] = [];
  private readonly observer: PerformanceObserver;

  constructor(capacity: number) {
    this.starts = new Float64Array(capacity);
    this.ends = new Float64Array(capacity);
    this.before_ = new Float64Array(capacity * FIELDS);
    this.after_ = new Float64Array(capacity * FIELDS);
    this.observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as PerformanceEntry[]) {
        this.gcPauses.push({ start: entry.startTime, end: entry.startTime + entry.duration });
      }
    });
    this.observer.observe({ entryTypes: ["gc"] });
  }

  before(iteration: number): void {
    native.resourceUsage(this.scratch);
    this.before_.set(this.scratch, iteration * FIELDS);
    this.starts[iteration] = performance.now();
  }

  after(iteration: number): void {
    this.ends[iteration] = performance.now();
    native.resourceUsage(this.scratch);
    this.after_.set(this.scratch, iteration * FIELDS);
  }

  /** Counts, per cause, the iterations from `first` to `count` among `samples` (indexed by iteration) above `p99`. */
  async explain(samples: Float64Array, count: number, p99: number, first = 0): Promise<Record<OutlierCause, number>> {
    // GC entries are delivered asynchronously: let the observer catch up.
    await new Promise((resolve) => setTimeout(resolve, 50));
    this.observer.disconnect();
    const causes: Record<OutlierCause, number> = {
      "garbage collection": 0,
      "page faults": 0,
      "involuntary context switches": 0,
      "voluntary context switches (a sleep: futex, poll)": 0,
      "time in the kernel": 0,
      "unexplained (in a component, or the hypervisor took the vCPU)": 0,
    };
    for (let iteration = first; iteration < count; iteration++) {
      if ((samples[iteration] as number) <= p99) continue;
      const delta = (field: number) =>
        (this.after_[iteration * FIELDS + field] as number) - (this.before_[iteration * FIELDS + field] as number);
      const start = this.starts[iteration] as number;
      const end = this.ends[iteration] as number;
      let explained = false;
      if (this.gcPauses.some((pause) => pause.start < end && pause.end > start)) {
        causes["garbage collection"]++;
        explained = true;
      }
      if (delta(0) + delta(1) > 0) {
        causes["page faults"]++;
        explained = true;
      }
      if (delta(3) > 0) {
        causes["involuntary context switches"]++;
        explained = true;
      }
      // A wait that outlasted its spin and slept: the wake-up is the scheduler's latency, not work.
      if (delta(2) > 0) {
        causes["voluntary context switches (a sleep: futex, poll)"]++;
        explained = true;
      }
      if (delta(5) > 0) {
        causes["time in the kernel"]++;
        explained = true;
      }
      if (!explained) causes["unexplained (in a component, or the hypervisor took the vCPU)"]++;
    }
    return causes;
  }
}
