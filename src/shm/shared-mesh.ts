// A mesh in a shared segment, seen the same way by the component that owns it
// and by the driver: coordinates and fields are typed arrays over the segment,
// so writes on one side are reads on the other, with no copy.

import { checkMeshSpec, type MeshSpec, meshGeometry, readMeshMetadata, writeMeshMetadata } from "../wire/mesh.ts";
import { meshSegmentName } from "../wire/protocol.ts";
import { SegmentKind } from "../wire/segment-header.ts";
import type { Run } from "./run.ts";
import type { Segment } from "./segment.ts";

export class SharedMesh {
  readonly coordinates: Float64Array;
  private readonly fieldArrays = new Map<string, Float64Array>();

  private constructor(
    readonly component: string,
    readonly name: string,
    readonly spec: MeshSpec,
    readonly segment: Segment,
    coordinatesOffset: number,
    fieldsOffset: number,
    fieldStride: number,
  ) {
    const base = segment.payloadOffset;
    this.coordinates = new Float64Array(segment.buffer, base + coordinatesOffset, spec.count * spec.dimension);
    spec.fields.forEach((field, index) => {
      this.fieldArrays.set(
        field,
        new Float64Array(segment.buffer, base + fieldsOffset + index * fieldStride, spec.count),
      );
    });
  }

  /** The component creates its mesh segment and publishes the metadata. */
  static create(run: Run, component: string, name: string, spec: MeshSpec): SharedMesh {
    const where = `mesh "${name}" of component "${component}"`;
    checkMeshSpec(spec, where);
    const geometry = meshGeometry(spec);
    const segment = run.createSegment(meshSegmentName(component, name), geometry.payloadBytes, SegmentKind.mesh);
    writeMeshMetadata(segment.buffer, segment.payloadOffset, spec);
    return new SharedMesh(
      component,
      name,
      spec,
      segment,
      geometry.coordinatesOffset,
      geometry.fieldsOffset,
      geometry.fieldStride,
    );
  }

  /** The driver maps a component's mesh and checks its metadata. */
  static open(run: Run, component: string, name: string, timeoutMs = 0): SharedMesh {
    const segment = run.openSegment(meshSegmentName(component, name), { kind: SegmentKind.mesh, timeoutMs });
    const where = `mesh "${name}" of component "${component}"`;
    try {
      const metadata = readMeshMetadata(segment.buffer, segment.payloadOffset, segment.payloadSize, where);
      const spec = {
        dimension: metadata.dimension,
        count: metadata.count,
        layout: metadata.layout,
        fields: metadata.fields,
      };
      return new SharedMesh(
        component,
        name,
        spec,
        segment,
        metadata.coordinatesOffset,
        metadata.fieldsOffset,
        metadata.fieldStride,
      );
    } catch (error) {
      segment.close();
      throw error;
    }
  }

  field(name: string): Float64Array {
    const values = this.fieldArrays.get(name);
    if (values === undefined) {
      throw new Error(
        `mesh "${this.name}" of component "${this.component}" has no field "${name}"; it has ${this.spec.fields.join(", ")}`,
      );
    }
    return values;
  }

  /** Coordinate `axis` of point `index`, whatever the layout. */
  coordinate(index: number, axis: number): number {
    const spec = this.spec;
    return (
      spec.layout === "soa"
        ? this.coordinates[axis * spec.count + index]
        : this.coordinates[index * spec.dimension + axis]
    ) as number;
  }

  close(): void {
    this.segment.close();
  }
}
