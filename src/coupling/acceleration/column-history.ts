// The quasi-Newton history: difference columns V (of residuals) and W (of
// x̃), newest first, with how many each window added, so that whole windows
// can be dropped when they are no longer reused. Preallocated for `capacity`
// columns; inserting shifts the columns in place (a memmove), nothing is
// allocated after the constructor. The shift runs on the column algebra, across
// threads when it has them.
import { ColumnAlgebra } from "./threads/column-algebra.ts";

export class ColumnHistory {
  /** Column j of V is v[j·rows, (j + 1)·rows); likewise W. */
  readonly v: Float64Array;
  readonly w: Float64Array;
  columns = 0;
  /** Columns per window, newest (the window under way) first. */
  private readonly groups: Int32Array;
  private groupCount = 1;

  constructor(
    readonly rows: number,
    readonly capacity: number,
    private readonly algebra: ColumnAlgebra = new ColumnAlgebra(rows),
  ) {
    this.v = algebra.allocate(rows * capacity);
    this.w = algebra.allocate(rows * capacity);
    this.groups = new Int32Array(capacity + 2);
  }

  /** Windows that have columns here, the one under way included if it has any. */
  get windows(): number {
    return this.groupCount - ((this.groups[0] as number) === 0 ? 1 : 0);
  }

  get full(): boolean {
    return this.columns === this.capacity;
  }

  /** Puts (dv, dw) in front, as the newest column of the window under way; the caller makes room first. */
  insertFront(dv: Float64Array, dw: Float64Array): void {
    this.algebra.shiftColumns(this.v, this.columns);
    this.algebra.shiftColumns(this.w, this.columns);
    this.v.set(dv);
    this.w.set(dw);
    this.columns++;
    this.groups[0] = (this.groups[0] as number) + 1;
  }

  /** Removes column `index`, and one column from the window it belongs to. */
  remove(index: number): void {
    const rows = this.rows;
    this.v.copyWithin(index * rows, (index + 1) * rows, this.columns * rows);
    this.w.copyWithin(index * rows, (index + 1) * rows, this.columns * rows);
    this.columns--;
    let seen = 0;
    for (let group = 0; group < this.groupCount; group++) {
      seen += this.groups[group] as number;
      if (seen > index) {
        this.groups[group] = (this.groups[group] as number) - 1;
        if ((this.groups[group] as number) === 0 && group > 0) this.removeGroup(group);
        return;
      }
    }
  }

  removeLast(): void {
    this.remove(this.columns - 1);
  }

  /** How many columns the oldest window has. */
  oldestWindowColumns(): number {
    return this.groups[this.groupCount - 1] as number;
  }

  /** The window under way is over: drop it if it added nothing, and open the next. */
  closeWindow(): void {
    if ((this.groups[0] as number) === 0) this.removeGroup(0);
    this.groups.copyWithin(1, 0, this.groupCount);
    this.groups[0] = 0;
    this.groupCount++;
  }

  clear(): void {
    this.columns = 0;
    this.groups[0] = 0;
    this.groupCount = 1;
  }

  private removeGroup(group: number): void {
    this.groups.copyWithin(group, group + 1, this.groupCount);
    this.groupCount--;
    if (this.groupCount === 0) {
      this.groups[0] = 0;
      this.groupCount = 1;
    }
  }
}
