// A mesh as the point view draws it: at most MAX_SHOWN_POINTS of its points (every k-th, so the shape stays), in
// three dimensions (a 1-D or 2-D mesh lies in the plane z = 0), with every field's values at those points and its
// range over all of them. Values come from components: NaN and infinities are counted, shown as gaps (null), and
// kept out of the range.
import type { MeshLayout } from "../wire/mesh.ts";

/** A browser draws this many points at once without lag; a larger mesh is thinned. */
export const MAX_SHOWN_POINTS = 20_000;

export interface FieldPoints {
  field: string;
  /** At the shown points; null where the value is not finite. */
  values: (number | null)[];
  /** Over every point of the mesh; null when none is finite. */
  min: number | null;
  max: number | null;
  nonFinite: number;
}

export interface MeshPoints {
  /** `<component>.<mesh>`. */
  mesh: string;
  dimension: 1 | 2 | 3;
  points: number;
  shown: number;
  /** x, y, z of each shown point. */
  positions: number[];
  fields: FieldPoints[];
}

export interface MeshGeometryIn {
  mesh: string;
  dimension: 1 | 2 | 3;
  layout: MeshLayout;
  count: number;
  coordinates: Float64Array;
}

function coordinate(geometry: MeshGeometryIn, point: number, axis: number): number {
  if (axis >= geometry.dimension) return 0;
  const value =
    geometry.layout === "soa"
      ? geometry.coordinates[axis * geometry.count + point]
      : geometry.coordinates[point * geometry.dimension + axis];
  return Number.isFinite(value) ? (value as number) : 0;
}

function fieldPoints(field: string, values: Float64Array, stride: number, shown: number): FieldPoints {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let nonFinite = 0;
  for (let point = 0; point < values.length; point++) {
    const value = values[point] as number;
    if (!Number.isFinite(value)) nonFinite++;
    else {
      if (value < min) min = value;
      if (value > max) max = value;
    }
  }
  const sampled: (number | null)[] = new Array(shown);
  for (let index = 0; index < shown; index++) {
    const value = values[index * stride] as number;
    sampled[index] = Number.isFinite(value) ? value : null;
  }
  const any = nonFinite < values.length;
  return { field, values: sampled, min: any ? min : null, max: any ? max : null, nonFinite };
}

/** `fields` must each hold `geometry.count` values (the caller checks what it read). */
export function meshPoints(geometry: MeshGeometryIn, fields: readonly [string, Float64Array][]): MeshPoints {
  const stride = Math.max(1, Math.ceil(geometry.count / MAX_SHOWN_POINTS));
  const shown = Math.ceil(geometry.count / stride);
  const positions: number[] = new Array(shown * 3);
  for (let index = 0; index < shown; index++) {
    for (let axis = 0; axis < 3; axis++) positions[index * 3 + axis] = coordinate(geometry, index * stride, axis);
  }
  return {
    mesh: geometry.mesh,
    dimension: geometry.dimension,
    points: geometry.count,
    shown,
    positions,
    fields: fields.map(([field, values]) => fieldPoints(field, values, stride, shown)),
  };
}
