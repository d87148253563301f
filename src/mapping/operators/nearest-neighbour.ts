// Nearest-neighbour transfer. Consistent: every target point takes the value
// of its nearest source point (apply is a gather). Conservative: every source
// point hands its whole value to its nearest target point (apply is a
// scatter-add; the transpose of the consistent target→source gather), so the
// sum is preserved exactly up to rounding. Ties go to whichever point the tree
// finds first.
//
// With threads, setup splits the tree's top levels, builds the subtrees and
// runs the queries across a team of worker threads, and the consistent apply
// gathers on the native kernels' threads; both give exactly the one-thread
// result (see nearest-queries.ts for why ties too).
import { int32Array, sharedCopy } from "../array-memory.ts";
import { nativeKernels, numericBackend } from "../numeric-backend.ts";
import { KdTree } from "../spatial/kd-tree.ts";
import { mortonOrder } from "../spatial/morton-order.ts";
import type { PointSet } from "../spatial/point-set.ts";
import type { ThreadTeam } from "../threads/thread-team.ts";
import { queryChunks, queryNearest } from "./nearest-queries.ts";
import type { NearestPreparePayload } from "./operator-tasks.ts";
import { startThreadedSetup } from "./threaded-setup.ts";
import { checkApplyBuffers, type TransferOperator } from "./transfer-operator.ts";

export interface NearestNeighbourOptions {
  conservative?: boolean;
  /** Threads of setup and apply, the caller's included (default 1). */
  threads?: number;
}

/** Below this many points a setup stays on one thread: handing out the work would cost more than it saves. */
const PARALLEL_SETUP_POINTS = 20_000;
/**
 * Points per leaf of the nearest tree: larger leaves than the default mean
 * fewer levels to split and to descend, which measured faster for one-nearest
 * queries (about an eighth at 3,000 points), while the scans stay short.
 */
const NEAREST_BUCKET = 24;
/** Below this many target values an apply stays on one thread. */
const PARALLEL_APPLY_VALUES = 50_000;

export class NearestNeighbourOperator implements TransferOperator {
  readonly method = "nearest";

  constructor(
    readonly conservative: boolean,
    readonly sourceCount: number,
    readonly targetCount: number,
    /** Consistent: the source index for each target point. Conservative: the target index for each source point. */
    readonly partners: Int32Array,
    /** Threads of the consistent apply. */
    readonly threads = 1,
  ) {
    this.applyThreads = targetCount >= PARALLEL_APPLY_VALUES ? threads : 1;
  }

  private readonly applyThreads: number;

  get byteLength(): number {
    return this.partners.byteLength;
  }

  apply(source: Float64Array, target: Float64Array): void {
    checkApplyBuffers(this, source, target);
    if (this.conservative) scatterAdd(source, target, this.partners, this.sourceCount);
    else if (numericBackend() === "native") nativeKernels.gather(source, target, this.partners, this.applyThreads);
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

/** For every point of `from`, the index of its nearest point in `to`; across `team`'s threads when given. */
export function nearestPartners(from: PointSet, to: PointSet, team?: ThreadTeam): Int32Array {
  if (team !== undefined && team.size > 1 && from.count + to.count >= PARALLEL_SETUP_POINTS) {
    return nearestPartnersAcross(team, from, to);
  }
  const tree = KdTree.build(to, NEAREST_BUCKET);
  const partners = new Int32Array(from.count);
  queryNearest(tree, from, mortonOrder(from), partners, 0, queryChunks(from.count));
  return partners;
}

function sharedPoints(points: PointSet): PointSet {
  return { ...points, coordinates: sharedCopy(points.coordinates) };
}

function nearestPartnersAcross(team: ThreadTeam, from: PointSet, to: PointSet): Int32Array {
  const queries = sharedPoints(from);
  const tree = KdTree.prepare(to, NEAREST_BUCKET, true).arrays;
  // Enough subtrees for every thread; the top levels are split while another thread orders the queries.
  const levels = Math.ceil(Math.log2(team.size));
  const prepare: NearestPreparePayload = { tree, levels, from: queries };
  let ranges: Int32Array | undefined;
  let order: Int32Array | undefined;
  for (const result of team.run("nearest-prepare", prepare, 2) as { ranges?: Int32Array; order?: Int32Array }[]) {
    ranges ??= result.ranges;
    order ??= result.order;
  }
  team.run("tree-ranges", { tree, ranges });
  const partners = int32Array(from.count, true);
  team.run("nearest-queries", { tree, from: queries, order, partners });
  return partners;
}

export function setupNearestNeighbour(
  source: PointSet,
  target: PointSet,
  options: NearestNeighbourOptions = {},
): NearestNeighbourOperator {
  const { conservative, threads, team } = startThreadedSetup(source, target, options);
  const partners = conservative ? nearestPartners(source, target, team) : nearestPartners(target, source, team);
  return new NearestNeighbourOperator(conservative, source.count, target.count, partners, threads);
}
