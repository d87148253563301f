// A point set: the coordinates of a mesh's vertices in one Float64Array, which
// may be a view on shared memory written by a component. The layout (structure
// of arrays x[] y[] z[], or interleaved x0 y0 z0 x1 …) comes from the
// component's mesh metadata; operators read it only in setup, so apply never
// depends on it.
import { MappingError } from "../mapping-error.ts";

export type Dimension = 1 | 2 | 3;
export type CoordinateLayout = "soa" | "interleaved";

export interface PointSet {
  readonly dimension: Dimension;
  readonly count: number;
  readonly layout: CoordinateLayout;
  /** soa: x[0..count) then y[0..count) then z[0..count); interleaved: x0 y0 z0 x1 y1 z1 … */
  readonly coordinates: Float64Array;
}

/** What a component declares about a shared mesh (its metadata), without the data. */
export interface PointSetMetadata {
  readonly dimension: number;
  readonly count: number;
  readonly layout: string;
}

const axisNames = ["x", "y", "z"] as const;

export function axisName(axis: number): string {
  return axisNames[axis] ?? `axis ${axis}`;
}

/** Coordinate `axis` of point `index`, whatever the layout. */
export function coordinate(points: PointSet, index: number, axis: number): number {
  const offset = points.layout === "soa" ? axis * points.count + index : index * points.dimension + axis;
  return points.coordinates[offset] as number;
}

/**
 * Wraps coordinates already laid out as the metadata says (for example a view on
 * a shared segment), without copying, after checking every coordinate.
 */
export function pointSetFromMetadata(metadata: PointSetMetadata, coordinates: Float64Array, label = "mesh"): PointSet {
  const { dimension, count, layout } = metadata;
  if (dimension !== 1 && dimension !== 2 && dimension !== 3) {
    throw new MappingError(`${label}: dimension ${dimension} is not supported; the mesh metadata must say 1, 2 or 3`);
  }
  if (layout !== "soa" && layout !== "interleaved") {
    throw new MappingError(
      `${label}: layout "${layout}" is unknown; the mesh metadata must say "soa" or "interleaved"`,
    );
  }
  if (!Number.isInteger(count) || count < 0) {
    throw new MappingError(`${label}: point count ${count} must be a whole number ≥ 0`);
  }
  if (coordinates.length !== dimension * count) {
    throw new MappingError(
      `${label}: ${count} points in ${dimension}-D need ${dimension * count} coordinates but the buffer holds ${coordinates.length}; give a view of exactly dimension × count values`,
    );
  }
  const points: PointSet = { dimension, count, layout, coordinates };
  validatePointSet(points, label);
  return points;
}

/** Builds a structure-of-arrays point set from one array per axis (copies). */
export function pointSetFromAxes(axes: readonly ArrayLike<number>[], label = "mesh"): PointSet {
  const dimension = axes.length;
  if (dimension !== 1 && dimension !== 2 && dimension !== 3) {
    throw new MappingError(`${label}: give 1, 2 or 3 coordinate arrays (x, y, z); got ${dimension}`);
  }
  const count = axes[0]?.length ?? 0;
  const coordinates = new Float64Array(dimension * count);
  for (let axis = 0; axis < dimension; axis++) {
    const values = axes[axis] as ArrayLike<number>;
    if (values.length !== count) {
      throw new MappingError(
        `${label}: the ${axisName(axis)} array has ${values.length} values but x has ${count}; every axis needs one value per point`,
      );
    }
    for (let index = 0; index < count; index++) coordinates[axis * count + index] = values[index] as number;
  }
  return pointSetFromMetadata({ dimension, count, layout: "soa" }, coordinates, label);
}

/** Builds an interleaved point set from x0 y0 [z0] x1 y1 [z1] … (copies). */
export function pointSetFromInterleaved(dimension: number, values: ArrayLike<number>, label = "mesh"): PointSet {
  if (dimension !== 1 && dimension !== 2 && dimension !== 3) {
    throw new MappingError(`${label}: dimension ${dimension} is not supported; use 1, 2 or 3`);
  }
  if (values.length % dimension !== 0) {
    throw new MappingError(
      `${label}: ${values.length} interleaved values are not a whole number of ${dimension}-D points`,
    );
  }
  return pointSetFromMetadata(
    { dimension, count: values.length / dimension, layout: "interleaved" },
    Float64Array.from(values),
    label,
  );
}

/** The same points in the other layout (copies); used by tests and by callers that must convert. */
export function withLayout(points: PointSet, layout: CoordinateLayout): PointSet {
  if (points.layout === layout) return points;
  const { dimension, count } = points;
  const coordinates = new Float64Array(dimension * count);
  for (let index = 0; index < count; index++) {
    for (let axis = 0; axis < dimension; axis++) {
      const offset = layout === "soa" ? axis * count + index : index * dimension + axis;
      coordinates[offset] = coordinate(points, index, axis);
    }
  }
  return { dimension, count, layout, coordinates };
}

/** Interleaved copy of the coordinates: the form every operator's setup works on. */
export function interleavedCoordinates(points: PointSet): Float64Array {
  return points.layout === "interleaved" ? points.coordinates.slice() : withLayout(points, "interleaved").coordinates;
}

/** Throws a MappingError naming the first point whose coordinate is NaN or infinite, or an empty set. */
export function validatePointSet(points: PointSet, label = "mesh"): void {
  if (points.count === 0) {
    throw new MappingError(`${label} has no points; a transfer needs at least one point on each mesh`);
  }
  const { dimension, count } = points;
  for (let index = 0; index < count; index++) {
    for (let axis = 0; axis < dimension; axis++) {
      const value = coordinate(points, index, axis);
      if (!Number.isFinite(value)) {
        throw new MappingError(
          `${label}: point ${index} has ${value} as its ${axisName(axis)} coordinate; every coordinate must be a finite number (check the mesh data written for that point)`,
        );
      }
    }
  }
}

/** Both meshes of a transfer must be valid and live in the same space. */
export function validateTransferMeshes(source: PointSet, target: PointSet): void {
  validatePointSet(source, "source mesh");
  validatePointSet(target, "target mesh");
  if (source.dimension !== target.dimension) {
    throw new MappingError(
      `source mesh is ${source.dimension}-D but target mesh is ${target.dimension}-D; both meshes of a transfer need the same number of coordinates per point`,
    );
  }
}

/** x, y, z of every point, three to a point whatever the dimension (missing axes are 0): what setup loops read. */
export function xyzCoordinates(points: PointSet): Float64Array {
  const { dimension, count } = points;
  const xyz = new Float64Array(3 * count);
  for (let index = 0; index < count; index++) {
    for (let axis = 0; axis < dimension; axis++) xyz[3 * index + axis] = coordinate(points, index, axis);
  }
  return xyz;
}
