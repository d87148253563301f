// A mesh as the setups of RBF-PU work on it: its points renumbered along a
// Morton curve (so that the points of one patch, and the patches covering
// neighbouring points, are close in memory whatever order the mesh came in),
// their coordinates three to a point in that order, and a k-d tree over them
// whose ids are those Morton positions.
import { float64Array } from "../array-memory.ts";
import { KdTree, type KdTreeArrays } from "../spatial/kd-tree.ts";
import { mortonOrder } from "../spatial/morton-order.ts";
import { coordinate, type PointSet } from "../spatial/point-set.ts";

export interface OrderedMesh {
  /** order[position] = the mesh's own index of the point at that Morton position. */
  order: Int32Array;
  /** x, y, z of the point at each position. */
  xyz: Float64Array;
  tree: KdTreeArrays;
}

export function orderedMesh(points: PointSet, shared: boolean): OrderedMesh {
  const order = mortonOrder(points, shared);
  const { count, dimension } = points;
  const xyz = float64Array(3 * count, shared);
  for (let position = 0; position < count; position++) {
    const point = order[position] as number;
    for (let axis = 0; axis < dimension; axis++) xyz[3 * position + axis] = coordinate(points, point, axis);
  }
  const tree = KdTree.build({ dimension: 3, count, layout: "interleaved", coordinates: xyz }, 12, shared);
  return { order, xyz, tree: tree.arrays };
}
