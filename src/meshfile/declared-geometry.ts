// A component's mesh whose points a composition takes from a file
// (`meshes.NAME.file`): the file's points in the mesh's declared dimension and
// layout, checked against what the composition declares, so the driver can
// build transfers on them and hand them to the component.
import type { Dimension } from "../mapping/index.ts";
import { MeshFileError } from "./mesh-file-error.ts";
import { withDimension } from "./point-mesh.ts";
import { readMeshFile } from "./read-mesh-file.ts";

export interface DeclaredGeometry {
  count: number;
  /** The coordinates in the declared layout: soa (all x, then all y, …) or interleaved. */
  coordinates: Float64Array;
}

/**
 * The points of `file` as a mesh of `dimension` axes in `layout`. A file whose
 * points span more axes than declared, or (with `points`) hold another count,
 * is refused, naming both.
 */
export function declaredGeometry(
  file: string,
  dimension: Dimension,
  layout: "soa" | "interleaved",
  points?: number,
): DeclaredGeometry {
  const mesh = readMeshFile(file);
  if (mesh.points.dimension > dimension) {
    throw new MeshFileError(
      `${file}: its points span ${mesh.points.dimension} axes, but the mesh is declared with dimension ${dimension}; declare dimension ${mesh.points.dimension}, or give a file of ${dimension}-D points`,
    );
  }
  const set = withDimension(mesh, dimension);
  const count = set.count;
  if (count === 0) throw new MeshFileError(`${file}: the file holds no points; a mesh needs at least one`);
  if (points !== undefined && points !== count) {
    throw new MeshFileError(
      `${file}: the file holds ${count} points, but the mesh is declared with points: ${points}; leave points out to take the file's count`,
    );
  }
  const coordinates = new Float64Array(dimension * count);
  for (let point = 0; point < count; point++) {
    for (let axis = 0; axis < dimension; axis++) {
      // Axes the file does not have (a 2-D CSV for a 3-D mesh) are zero.
      const value =
        axis >= set.dimension
          ? 0
          : (set.coordinates[set.layout === "soa" ? axis * count + point : point * set.dimension + axis] as number);
      coordinates[layout === "soa" ? axis * count + point : point * dimension + axis] = value;
    }
  }
  return { count, coordinates };
}
