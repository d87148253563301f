// Nearest-neighbour transfer. Consistent: every target point takes the value
// of its nearest source point (apply is a gather). Conservative: every source
// point hands its whole value to its nearest target point (apply is a
// scatter-add; the transpose of the consistent target→source gather), so the
// sum is preserved exactly up to rounding. Ties go to whichever point the tree
// finds first.
import { KdTree } from "../spatial/kd-tree.ts";
import { mortonOrder } from "../spatial/morton-order.ts";
import { type PointSet, validateTransferMeshes } from "../spatial/point-set.ts";
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
    if (this.conservative) scatterAdd(source, target, this.partners, this.sourceCount);
    else gather(source, target, this.partners, this.targetCount);
  }
}

// Eight elements per iteration: V8 reloads a typed array's data pointer and
// length on every iteration of a loop over arrays it cannot treat as constants,
// and in a loop this light that reloading, not memory, set the pace (3–4×).

/** target[i] = source[partners[i]] for i < count. */
function gather(source: Float64Array, target: Float64Array, partners: Int32Array, count: number): void {
  let i = 0;
  for (; i + 7 < count; i += 8) {
    const p0 = partners[i] as number;
    const p1 = partners[i + 1] as number;
    const p2 = partners[i + 2] as number;
    const p3 = partners[i + 3] as number;
    const p4 = partners[i + 4] as number;
    const p5 = partners[i + 5] as number;
    const p6 = partners[i + 6] as number;
    const p7 = partners[i + 7] as number;
    target[i] = source[p0] as number;
    target[i + 1] = source[p1] as number;
    target[i + 2] = source[p2] as number;
    target[i + 3] = source[p3] as number;
    target[i + 4] = source[p4] as number;
    target[i + 5] = source[p5] as number;
    target[i + 6] = source[p6] as number;
    target[i + 7] = source[p7] as number;
  }
  for (; i < count; i++) target[i] = source[partners[i] as number] as number;
}

/** target = 0, then target[partners[i]] += source[i] for i < count. */
function scatterAdd(source: Float64Array, target: Float64Array, partners: Int32Array, count: number): void {
  target.fill(0);
  let i = 0;
  for (; i + 3 < count; i += 4) {
    // Partners may repeat within the four: each update reads the value the previous one wrote.
    const p0 = partners[i] as number;
    target[p0] = (target[p0] as number) + (source[i] as number);
    const p1 = partners[i + 1] as number;
    target[p1] = (target[p1] as number) + (source[i + 1] as number);
    const p2 = partners[i + 2] as number;
    target[p2] = (target[p2] as number) + (source[i + 2] as number);
    const p3 = partners[i + 3] as number;
    target[p3] = (target[p3] as number) + (source[i + 3] as number);
  }
  for (; i < count; i++) {
    const partner = partners[i] as number;
    target[partner] = (target[partner] as number) + (source[i] as number);
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
