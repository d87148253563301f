// Where the run is in physical time: the window under way (its index, start
// and size), whether it is the last, and when the run is over. Windows of a
// fixed size start at k × size (no drift from summing sizes); the last is cut
// to end exactly at max_time. With `first-participant` the size is unknown
// until the first component's step sets it. A run of `windows` windows has no
// end time (Infinity), as the window payload says.
import { TIME_TOLERANCE } from "../../wire/protocol.ts";
import type { TimePlan } from "../plan.ts";

export class WindowClock {
  /** The window under way, −1 before the first. */
  index = -1;
  /** Doubles from the start (so V8 keeps them unboxed in place). */
  start = Number.NaN;
  /** Infinity until the first component's step sets it, for first-participant. */
  size = Number.NaN;
  /** The run's end time: max_time, or Infinity when it ends after a number of windows. */
  readonly end: number;
  private nextStart = 0;
  private readonly fixedSize: number;

  constructor(private readonly plan: Pick<TimePlan, "window" | "maxTime" | "windows">) {
    this.end = plan.maxTime ?? Number.POSITIVE_INFINITY;
    this.fixedSize = plan.window === "first-participant" ? Number.POSITIVE_INFINITY : plan.window;
  }

  /** Whether the window size comes from the first component's step. */
  get firstParticipant(): boolean {
    return this.plan.window === "first-participant";
  }

  /** Whether another window follows the one that ended (or the first is still to come). */
  get hasNext(): boolean {
    if (this.plan.windows !== undefined) return this.index + 1 < this.plan.windows;
    return !this.reached(this.nextStart);
  }

  /** Whether the window under way is the run's last, as far as is known now (a first-participant window of unknown size is not). */
  get last(): boolean {
    if (this.plan.windows !== undefined) return this.index + 1 >= this.plan.windows;
    return Number.isFinite(this.size) && this.reached(this.start + this.size);
  }

  /** The windows the run will take, when that is known beforehand (for progress and preallocation). */
  get plannedWindows(): number | undefined {
    if (this.plan.windows !== undefined) return this.plan.windows;
    if (!Number.isFinite(this.fixedSize)) return undefined;
    return Math.max(1, Math.ceil(this.end / this.fixedSize - TIME_TOLERANCE * Math.max(1, this.end / this.fixedSize)));
  }

  /** Moves to the next window. */
  advance(): void {
    this.index++;
    if (!Number.isFinite(this.fixedSize)) {
      this.start = this.nextStart;
      this.size = Number.POSITIVE_INFINITY;
      return;
    }
    // Window k spans [k × size, (k + 1) × size], the last cut to end exactly at max_time.
    this.start = this.index * this.fixedSize;
    this.nextStart = (this.index + 1) * this.fixedSize;
    const end = this.reached(this.nextStart) ? this.end : this.nextStart;
    this.size = end - this.start;
  }

  /** The first component's step set the window's size (first-participant). */
  setSize(size: number): void {
    this.size = size;
    this.nextStart = this.start + size;
  }

  /** Whether time t is at the run's end (within the protocol's tolerance). */
  private reached(t: number): boolean {
    if (this.end === Number.POSITIVE_INFINITY) return false;
    return this.end - t <= TIME_TOLERANCE * Math.max(1, Math.abs(this.end));
  }
}
