// Nearest-neighbour transfer. Consistent: every target point takes the value
// of its nearest source point (apply is a gather). Conservative: every source
// point hands its whole value to its nearest target point (apply is a
// scatter-add; the transpose of the consistent target→source gather), so the
// sum is preserved exactly up to rounding. Ties go to whichever point the tree
// finds first.
import { KdTree } from "./kd-tree.ts";
import { mortonOrder } from "./morton-order.ts";
import { type PointSet, validateTransferMeshes } from "./point-set.ts";
import { checkApplyBuffers, type TransferOperator } from "./transfer-operator.ts";

export interface NearestNeighbourOptions {
  conservative?: boolean;
}

export class NearestNeighbourOperator implements TransferOperator {
  readonly method = "nearest";

  constructor(
    readonly conservative: boolean,
    readonly sourceCount: number,
    readonly targetCount: number,
    /** Consistent: the source index for each target point. Conservative: the target index for each source point. */
    readonly partners: Int32Array,
  ) {}

  get byteLength(): number {
    return this.partners.byteLength;
  }

  apply(source: Float64Array, target: Float64Array): void {
    checkApplyBuffers(this, source, target);
    const partners = this.partners;
    if (this.conservative) {
      target.fill(0);
      const count = this.sourceCount;
      for (let point = 0; point < count; point++) {
        const partner = partners[point] as number;
        target[partner] = (target[partner] as number) + (source[point] as number);
      }
    } else {
      const count = this.targetCount;
      for (let point = 0; point < count; point++) target[point] = source[partners[point] as number] as number;
    }
  }
}

/** For every point of `from`, the index of its nearest point in `to`. */
export function nearestPartners(from: PointSet, to: PointSet): Int32Array {
  const tree = KdTree.build(to);
  const partners = new Int32Array(from.count);
  const order = mortonOrder(from);
  const { coordinates, dimension, count, layout } = from;
  const axisStride = layout === "soa" ? count : 1;
  const pointStride = layout === "soa" ? 1 : dimension;
  let hint = -1;
  for (let step = 0; step < count; step++) {
    const point = order[step] as number;
    const base = point * pointStride;
    const x = coordinates[base] as number;
    const y = dimension > 1 ? (coordinates[base + axisStride] as number) : 0;
    const z = dimension > 2 ? (coordinates[base + 2 * axisStride] as number) : 0;
    partners[point] = tree.nearest(x, y, z, hint);
    hint = tree.lastPosition;
  }
  return partners;
}

export function setupNearestNeighbour(
  source: PointSet,
  target: PointSet,
  options: NearestNeighbourOptions = {},
): NearestNeighbourOperator {
  validateTransferMeshes(source, target);
  const conservative = options.conservative === true;
  const partners = conservative ? nearestPartners(source, target) : nearestPartners(target, source);
  return new NearestNeighbourOperator(conservative, source.count, target.count, partners);
}
