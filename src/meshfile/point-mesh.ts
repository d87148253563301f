// What Conflux takes from a mesh file: its points and the values on them.
// Cells are not kept: transfers map between point sets. The coordinates are
// 3-D as VTK and Gmsh store them; `pointMeshDimension` says how many axes carry
// anything, and `withDimension` gives the point set Conflux maps with.
import { type Dimension, MappingError, type PointSet, pointSetFromMetadata } from "../mapping/index.ts";
import { MeshFileError } from "./mesh-file-error.ts";

export interface PointMesh {
  /** The points, with the dimension the file gives (CSV) or the axes that carry anything (VTK, Gmsh). */
  readonly points: PointSet;
  /** True when the file fixes the dimension (CSV's header), false when it always stores x, y, z. */
  readonly fixedDimension: boolean;
  readonly fieldNames: readonly string[];
  /** One array per field, one value per point. */
  readonly fields: readonly Float64Array[];
  /** Where point `index` is written in the file ("line 12"), for messages about a point. */
  pointPlace(index: number): string | undefined;
}

/** The lowest dimension that holds every point of interleaved x, y, z: trailing axes that are zero everywhere drop. */
export function pointMeshDimension(xyz: Float64Array, count: number): Dimension {
  let dimension = 1;
  for (let point = 0; point < count; point++) {
    if (xyz[3 * point + 2] !== 0) return 3;
    if (xyz[3 * point + 1] !== 0) dimension = 2;
  }
  return dimension as Dimension;
}

/** A point mesh from interleaved x, y, z and its fields; the dimension is the axes that carry anything. */
export function pointMeshFromXyz(
  xyz: Float64Array,
  count: number,
  fieldNames: readonly string[],
  fields: readonly Float64Array[],
  file: string,
  pointPlace: (index: number) => string | undefined = () => undefined,
): PointMesh {
  const dimension = pointMeshDimension(xyz, count);
  const coordinates = new Float64Array(dimension * count);
  for (let point = 0; point < count; point++) {
    for (let axis = 0; axis < dimension; axis++)
      coordinates[point * dimension + axis] = xyz[3 * point + axis] as number;
  }
  let points: PointSet;
  try {
    points = pointSetFromMetadata({ dimension, count, layout: "interleaved" }, coordinates, file);
  } catch (error) {
    if (error instanceof MappingError) throw new MeshFileError(error.message);
    throw error;
  }
  return { points, fixedDimension: false, fieldNames, fields, pointPlace };
}

/**
 * The mesh's points in `dimension` axes, missing ones zero, when the file does not fix its dimension
 * (VTK, Gmsh); otherwise, or when they span more axes, the points as they are, for the mapping to compare.
 */
export function withDimension(mesh: PointMesh, dimension: Dimension): PointSet {
  const points = mesh.points;
  if (points.dimension >= dimension || mesh.fixedDimension) return points;
  const count = points.count;
  const coordinates = new Float64Array(dimension * count);
  for (let point = 0; point < count; point++) {
    for (let axis = 0; axis < points.dimension; axis++) {
      coordinates[point * dimension + axis] = points.coordinates[
        points.layout === "soa" ? axis * count + point : point * points.dimension + axis
      ] as number;
    }
  }
  return { dimension, count, layout: "interleaved", coordinates };
}
