// coupling/acceleration/ owns the accelerations of an implicit window: constant, Aitken, IQN-ILS, IQN-IMVJ, preconditioners.
// It must not know waveforms, segments or schemes: it works in place on the views of the vector it is handed.

// The accelerated vector as one flat index space over the layout's views:
// gathers x̃ (or the window's start values) into a contiguous array, scatters
// an iterate back, and knows where each field's values and last sample lie.
// Built once; every method after the constructor is allocation-free.
import type { AcceleratedLayout } from "./acceleration.ts";

export class AcceleratedVector {
  /** Number of values: Σ over fields of samples × points. */
  readonly length: number;
  /** Field f's values are [fieldOffsets[f], fieldOffsets[f + 1]). */
  readonly fieldOffsets: Int32Array;
  /** Where field f's last sample starts in the flat vector, and how many values a sample of it has. */
  readonly lastSampleOffsets: Int32Array;
  readonly pointCounts: Int32Array;
  readonly labels: readonly string[];
  private readonly parts: Float64Array[];
  private readonly partStarts: Float64Array[];

  constructor(layout: AcceleratedLayout) {
    if (layout.fields.length === 0) throw new Error("an acceleration needs at least one field");
    this.parts = [];
    this.partStarts = [];
    this.fieldOffsets = new Int32Array(layout.fields.length + 1);
    this.lastSampleOffsets = new Int32Array(layout.fields.length);
    this.pointCounts = new Int32Array(layout.fields.length);
    let offset = 0;
    layout.fields.forEach((field, index) => {
      const count = field.start.length;
      if (count === 0) throw new Error(`accelerated field ${field.label} has no points`);
      if (field.samples.length === 0) throw new Error(`accelerated field ${field.label} has no samples in the window`);
      this.fieldOffsets[index] = offset;
      this.pointCounts[index] = count;
      for (const sample of field.samples) {
        if (sample.length !== count) {
          throw new Error(`accelerated field ${field.label}: a sample has ${sample.length} values, its start ${count}`);
        }
        this.parts.push(sample);
        this.partStarts.push(field.start);
        offset += count;
      }
      this.lastSampleOffsets[index] = offset - count;
    });
    this.fieldOffsets[layout.fields.length] = offset;
    this.length = offset;
    this.labels = layout.fields.map((field) => field.label);
  }

  get fieldCount(): number {
    return this.pointCounts.length;
  }

  /** Copies the values in the views (x̃) into `into`. */
  gather(into: Float64Array): void {
    concatenateInto(this.parts, into);
  }

  /** Copies every sample's window start value into `into`: the iterate the window's first attempt read. */
  gatherStart(into: Float64Array): void {
    concatenateInto(this.partStarts, into);
  }

  /** Writes `from` into the views: the next iterate, in shared memory. */
  scatter(from: Float64Array): void {
    let offset = 0;
    const parts = this.parts;
    for (let index = 0; index < parts.length; index++) {
      const part = parts[index] as Float64Array;
      const count = part.length;
      for (let value = 0; value < count; value++) part[value] = from[offset + value] as number;
      offset += count;
    }
  }
}

/** Copies `arrays` one after the other into `into`, from its start. */
function concatenateInto(arrays: readonly Float64Array[], into: Float64Array): void {
  let offset = 0;
  for (let index = 0; index < arrays.length; index++) {
    const array = arrays[index] as Float64Array;
    into.set(array, offset);
    offset += array.length;
  }
}
