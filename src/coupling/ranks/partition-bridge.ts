// The driver's view of a component of many ranks: each rank shares its own
// partition of each mesh (and, in a run in time, of each coupled field's
// waveform) in its own segment; the driver holds the union of the partitions,
// in segments of its own under the component's name, laid out rank after rank.
// Operators, checks, acceleration and results work on the union exactly as on
// a serial component's mesh. The bridge copies between the two at the step's
// edges: what the ranks wrote, into the union, when the step is done; what the
// driver wrote (transfer targets), into each rank's partition, before the next
// step. Every view is made once, here, so the copies allocate nothing.
import type { Run } from "../../shm/run.ts";
import { SharedMesh } from "../../shm/shared-mesh.ts";
import { SharedWaveform } from "../../shm/waveform.ts";
import { rankedName } from "../../wire/environment.ts";
import type { MeshSpec } from "../../wire/mesh.ts";
import { TIME_TOLERANCE } from "../../wire/protocol.ts";
import { WaveformRole, waveformSegmentName } from "../../wire/waveform.ts";

/** One field of a partitioned mesh: the union's values, and for every rank its partition and its slice of the union. */
class PartitionedField {
  constructor(
    readonly mesh: string,
    readonly field: string,
    readonly parts: readonly Float64Array[],
    readonly slices: readonly Float64Array[],
  ) {}

  gather(): void {
    const parts = this.parts;
    const slices = this.slices;
    for (let rank = 0; rank < parts.length; rank++) (slices[rank] as Float64Array).set(parts[rank] as Float64Array);
  }

  scatter(): void {
    const parts = this.parts;
    const slices = this.slices;
    for (let rank = 0; rank < parts.length; rank++) (parts[rank] as Float64Array).set(slices[rank] as Float64Array);
  }
}

/** One coupled field's waveform: the union's, and every rank's partition, with the views of each sample made once. */
class PartitionedWaveform {
  /** sliceOf[sample][rank]: the rank's slice of the union's sample. */
  private readonly slices: Float64Array[][];

  constructor(
    /** mesh.field, for messages */
    readonly label: string,
    readonly union: SharedWaveform,
    readonly parts: readonly SharedWaveform[],
    offsets: Int32Array,
  ) {
    this.slices = union.samples.map((sample) =>
      parts.map((_, rank) => sample.subarray(offsets[rank] as number, offsets[rank + 1] as number)),
    );
  }

  /**
   * What the ranks wrote, into the union: every rank must have written as many samples as rank 0, at the same
   * times. Returns the rank and the reason when one did not (the error path allocates), else undefined.
   */
  gather(): { rank: number; reason: string } | undefined {
    const parts = this.parts;
    const first = parts[0] as SharedWaveform;
    let n: number;
    try {
      n = first.readSampleCount();
    } catch (error) {
      return { rank: 0, reason: `wrote a waveform that cannot be read: ${(error as Error).message}` };
    }
    for (let rank = 1; rank < parts.length; rank++) {
      const part = parts[rank] as SharedWaveform;
      let count: number;
      try {
        count = part.readSampleCount();
      } catch (error) {
        return { rank, reason: `wrote a waveform that cannot be read: ${(error as Error).message}` };
      }
      if (count !== n) {
        return {
          rank,
          reason: `wrote ${count - 1} steps into its partition of ${this.label}, rank 0 wrote ${n - 1}: every rank takes the same steps`,
        };
      }
      for (let sample = 0; sample < n; sample++) {
        const time = part.times[sample] as number;
        const expected = first.times[sample] as number;
        if (!(Math.abs(time - expected) <= TIME_TOLERANCE * Math.max(1, Math.abs(expected)))) {
          return {
            rank,
            reason: `wrote sample ${sample} of ${this.label} at t = ${time}, rank 0 at t = ${expected}: every rank takes the same steps`,
          };
        }
      }
    }
    const union = this.union;
    for (let sample = 0; sample < n; sample++) {
      const slices = this.slices[sample] as Float64Array[];
      for (let rank = 0; rank < parts.length; rank++) {
        (slices[rank] as Float64Array).set((parts[rank] as SharedWaveform).samples[sample] as Float64Array);
      }
      union.times[sample] = first.times[sample] as number;
    }
    union.windowStart = first.windowStart;
    union.publishSampleCount(n);
    return undefined;
  }

  /** What the driver wrote into the union, into every rank's partition; the sample count last, as a writer must. */
  scatter(): void {
    const union = this.union;
    const n = union.readSampleCount();
    const parts = this.parts;
    for (let rank = 0; rank < parts.length; rank++) {
      const part = parts[rank] as SharedWaveform;
      for (let sample = 0; sample < n; sample++) {
        (part.samples[sample] as Float64Array).set((this.slices[sample] as Float64Array[])[rank] as Float64Array);
        part.times[sample] = union.times[sample] as number;
      }
      part.windowStart = union.windowStart;
      part.publishSampleCount(n);
    }
  }

  close(): void {
    for (const part of this.parts) part.close();
  }
}

/** A rank's partition of one mesh that does not fit the others, found while the union is built. */
export class PartitionError extends Error {
  override name = "PartitionError";
  constructor(
    readonly rank: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** How one mesh is split: every rank's partition and where it starts in the union. */
export interface MeshPartitions {
  mesh: string;
  union: SharedMesh;
  parts: SharedMesh[];
  /** offsets[rank] .. offsets[rank + 1]: the rank's points in the union. */
  offsets: Int32Array;
}

export class PartitionBridge {
  private readonly fields: PartitionedField[] = [];
  private readonly targetFields: PartitionedField[] = [];
  private readonly sourceWaveforms: PartitionedWaveform[] = [];
  private readonly targetWaveforms: PartitionedWaveform[] = [];
  /** The union's meshes by name. */
  readonly meshes = new Map<string, MeshPartitions>();

  constructor(
    readonly component: string,
    readonly ranks: number,
  ) {}

  /** The rank whose partition holds point `point` of the union of `mesh`, and its index there; for errors. */
  locate(mesh: string, point: number): { rank: number; point: number } | undefined {
    const partitions = this.meshes.get(mesh);
    if (partitions === undefined || point < 0) return undefined;
    const { offsets } = partitions;
    for (let rank = 0; rank < offsets.length - 1; rank++) {
      if (point < (offsets[rank + 1] as number)) return { rank, point: point - (offsets[rank] as number) };
    }
    return undefined;
  }

  /**
   * Adds a mesh from the ranks' partitions (rank order, checked against the declaration by the caller): the
   * union is created under the component's own name, its coordinates gathered. Throws a PartitionError naming
   * the rank whose partition does not fit rank 0's.
   */
  addMesh(run: Run, mesh: string, parts: SharedMesh[], targetFields: ReadonlySet<string>): SharedMesh {
    const first = parts[0] as SharedMesh;
    const offsets = new Int32Array(parts.length + 1);
    parts.forEach((part, rank) => {
      const spec = part.spec;
      if (spec.dimension !== first.spec.dimension || spec.layout !== first.spec.layout) {
        throw new PartitionError(
          rank,
          `shared its partition of mesh "${mesh}" as ${spec.dimension}-D ${spec.layout}, rank 0 as ${first.spec.dimension}-D ${first.spec.layout}`,
        );
      }
      if (
        spec.fields.length !== first.spec.fields.length ||
        spec.fields.some((field, i) => field !== first.spec.fields[i])
      ) {
        throw new PartitionError(
          rank,
          `shared its partition of mesh "${mesh}" with fields [${spec.fields.join(", ")}], rank 0 with [${first.spec.fields.join(", ")}]`,
        );
      }
      offsets[rank + 1] = (offsets[rank] as number) + spec.count;
    });
    const total = offsets[parts.length] as number;
    if (total === 0) {
      throw new PartitionError(0, `shared mesh "${mesh}" with 0 points on every one of its ${parts.length} ranks`);
    }
    const spec: MeshSpec = { ...first.spec, count: total };
    const union = SharedMesh.create(run, this.component, mesh, spec);
    this.meshes.set(mesh, { mesh, union, parts, offsets });
    copyCoordinates(union, parts, offsets, true);
    for (const field of spec.fields) {
      const partitioned = new PartitionedField(
        mesh,
        field,
        parts.map((part) => part.field(field)),
        parts.map((_, rank) => union.field(field).subarray(offsets[rank] as number, offsets[rank + 1] as number)),
      );
      this.fields.push(partitioned);
      if (targetFields.has(field)) this.targetFields.push(partitioned);
    }
    return union;
  }

  /** Points the composition gives (written into the union first): into every rank's partition. */
  scatterCoordinates(mesh: string): void {
    const partitions = this.meshes.get(mesh) as MeshPartitions;
    copyCoordinates(partitions.union, partitions.parts, partitions.offsets, false);
  }

  /**
   * A run in time: the partitions of the union's waveform of mesh.field, created for the ranks to attach
   * (under their ranked names), with the union's role, capacity and degree and sample 0 copied.
   */
  addWaveform(run: Run, mesh: string, field: string, union: SharedWaveform): void {
    const partitions = this.meshes.get(mesh) as MeshPartitions;
    const parts: SharedWaveform[] = [];
    try {
      for (let rank = 0; rank < this.ranks; rank++) {
        parts.push(
          SharedWaveform.create(run, waveformSegmentName(rankedName(this.component, rank, this.ranks), mesh, field), {
            role: union.role,
            count: (partitions.parts[rank] as SharedMesh).spec.count,
            capacity: union.capacity,
            degree: union.degree,
          }),
        );
      }
    } catch (error) {
      for (const part of parts) part.close();
      throw error;
    }
    const partitioned = new PartitionedWaveform(`${mesh}.${field}`, union, parts, partitions.offsets);
    partitioned.scatter();
    if (union.role === WaveformRole.writtenByDriver) this.targetWaveforms.push(partitioned);
    else this.sourceWaveforms.push(partitioned);
  }

  /** After every rank's step: all their fields, into the union. */
  gatherFields(): void {
    const fields = this.fields;
    for (let index = 0; index < fields.length; index++) (fields[index] as PartitionedField).gather();
  }

  /** Before every rank's step: the fields transfers write, into every partition. */
  scatterTargets(): void {
    const fields = this.targetFields;
    for (let index = 0; index < fields.length; index++) (fields[index] as PartitionedField).scatter();
  }

  /** After every rank's attempt: the waveforms the ranks wrote, into the union; the rank that broke a rule, if one did. */
  gatherWaveforms(): { rank: number; reason: string } | undefined {
    const waveforms = this.sourceWaveforms;
    for (let index = 0; index < waveforms.length; index++) {
      const problem = (waveforms[index] as PartitionedWaveform).gather();
      if (problem !== undefined) return problem;
    }
    return undefined;
  }

  /** Before every rank's attempt: the waveforms the driver wrote, into every partition. */
  scatterWaveforms(): void {
    const waveforms = this.targetWaveforms;
    for (let index = 0; index < waveforms.length; index++) (waveforms[index] as PartitionedWaveform).scatter();
  }

  /** Closes the partitions (the union meshes and waveforms are the driver's, closed with the others). */
  close(): void {
    for (const waveform of [...this.sourceWaveforms, ...this.targetWaveforms]) waveform.close();
    for (const partitions of this.meshes.values()) for (const part of partitions.parts) part.close();
  }
}

/**
 * Copies the coordinates between the union and the ranks' parts: into the
 * union when `gather`, else out of it into the parts. soa: each dimension's
 * block is the ranks' blocks one after the other; interleaved: the ranks'
 * points in order.
 */
function copyCoordinates(union: SharedMesh, parts: readonly SharedMesh[], offsets: Int32Array, gather: boolean): void {
  const dimension = union.spec.dimension;
  const total = union.spec.count;
  parts.forEach((part, rank) => {
    const count = part.spec.count;
    const offset = offsets[rank] as number;
    if (union.spec.layout === "interleaved") {
      copyRun(union.coordinates, offset * dimension, part.coordinates, 0, count * dimension, gather);
    } else {
      for (let axis = 0; axis < dimension; axis++) {
        copyRun(union.coordinates, axis * total + offset, part.coordinates, axis * count, count, gather);
      }
    }
  });
}

/** Copies `length` values between union[unionStart…] and part[partStart…]: into the union when `gather`. */
function copyRun(
  union: Float64Array,
  unionStart: number,
  part: Float64Array,
  partStart: number,
  length: number,
  gather: boolean,
): void {
  if (gather) union.set(part.subarray(partStart, partStart + length), unionStart);
  else part.set(union.subarray(unionStart, unionStart + length), partStart);
}
