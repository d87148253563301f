// Moving least squares. For every receiving point t, fit a polynomial (linear
// or quadratic) to the values of its neighbours by least squares weighted with
// Wendland C2 of distance / h, and take the fit's value at t. The fit is linear
// in the values, so each receiving point gets fixed weights: one row of a
// sparse matrix, computed here once. Neighbours are the points within a radius
// (h = radius) or the k nearest (h = 1.5 × the k-th distance).
// The fit is solved block by block (constant, linear, quadratic parts made
// orthogonal), each block by Cholesky or, when the neighbourhood cannot
// determine it (coplanar, collinear, too few points), by its pseudo-inverse;
// see NeighbourhoodScratch.

import { wendlandC2 } from "../kernels/wendland.ts";
import { type CompressedRows, CompressedRowsBuilder, transposeRows } from "../linalg/compressed-rows.ts";
import { SymmetricSolver } from "../linalg/symmetric-solve.ts";
import { MappingError } from "../mapping-error.ts";
import { KdTree, NeighbourList } from "../spatial/kd-tree.ts";
import { mortonOrder } from "../spatial/morton-order.ts";
import { type PointSet, validateTransferMeshes, xyzCoordinates } from "../spatial/point-set.ts";
import { SparseTransferOperator } from "./sparse-operator.ts";

export type MovingLeastSquaresBasis = "linear" | "quadratic";

export interface MovingLeastSquaresOptions {
  basis?: MovingLeastSquaresBasis;
  /** Neighbours are the points within this distance. Give radius or k, not both. */
  radius?: number;
  /** Neighbours are the k nearest points; the default is twice the number of basis terms, plus 2. */
  k?: number;
  conservative?: boolean;
}

/** In k-nearest mode the weight reaches zero at this multiple of the k-th neighbour's distance, so that every neighbour counts. */
const K_NEAREST_SUPPORT_FACTOR = 1.5;

export function defaultNeighbourCount(dimension: number, basis: MovingLeastSquaresBasis): number {
  const terms = 1 + dimension + (basis === "quadratic" ? (dimension * (dimension + 1)) / 2 : 0);
  return 2 * terms + 2;
}

export function setupMovingLeastSquares(
  source: PointSet,
  target: PointSet,
  options: MovingLeastSquaresOptions = {},
): SparseTransferOperator {
  validateTransferMeshes(source, target);
  const conservative = options.conservative === true;
  const rows = conservative
    ? transposeRows(movingLeastSquaresRows(target, source, options, "target", "source"))
    : movingLeastSquaresRows(source, target, options, "source", "target");
  return new SparseTransferOperator("mls", conservative, rows);
}

/** The consistent MLS weights: one row per point of `to`, drawing on points of `from`. */
export function movingLeastSquaresRows(
  from: PointSet,
  to: PointSet,
  options: MovingLeastSquaresOptions,
  fromLabel = "source",
  toLabel = "target",
): CompressedRows {
  const basis = options.basis ?? "linear";
  if (basis !== "linear" && basis !== "quadratic") {
    throw new MappingError(`MLS basis "${basis}" is unknown; use linear or quadratic`);
  }
  const { radius } = options;
  if (radius !== undefined && options.k !== undefined) {
    throw new MappingError("MLS takes either a radius or k nearest neighbours, not both; drop one of them");
  }
  if (radius !== undefined && !(radius > 0 && Number.isFinite(radius))) {
    throw new MappingError(`MLS radius must be a distance > 0 in mesh units; got ${radius}`);
  }
  const wantedK = options.k ?? defaultNeighbourCount(from.dimension, basis);
  if (!Number.isInteger(wantedK) || wantedK < 1) {
    throw new MappingError(`MLS k must be a whole number ≥ 1; got ${options.k}`);
  }
  const k = Math.min(wantedK, from.count);
  const dimension = from.dimension;
  const quadraticTerms = basis === "quadratic" ? (dimension * (dimension + 1)) / 2 : 0;

  const tree = KdTree.build(from);
  const fromXyz = xyzCoordinates(from);
  const toXyz = xyzCoordinates(to);
  const order = mortonOrder(to);
  const neighbours = new NeighbourList(64);
  const scratch = new NeighbourhoodScratch(Math.max(64, k), dimension, quadraticTerms);
  const builder = new CompressedRowsBuilder(to.count, from.count, to.count * Math.min(k, 64));

  for (let step = 0; step < to.count; step++) {
    const point = order[step] as number;
    const x = toXyz[3 * point] as number;
    const y = toXyz[3 * point + 1] as number;
    const z = toXyz[3 * point + 2] as number;
    let count: number;
    let support: number;
    if (radius !== undefined) {
      count = tree.withinRadius(x, y, z, radius, neighbours);
      scratch.ensure(count);
      for (let n = 0; n < count; n++) {
        scratch.indices[n] = neighbours.indices[n] as number;
        scratch.distancesSquared[n] = neighbours.distancesSquared[n] as number;
      }
      support = radius;
    } else {
      count = tree.kNearest(x, y, z, k, scratch.indices, scratch.distancesSquared);
      const farthest = Math.sqrt(scratch.distancesSquared[count - 1] as number);
      support = farthest > 0 ? K_NEAREST_SUPPORT_FACTOR * farthest : 1;
    }
    if (!scratch.weigh(count, support, fromXyz, x, y, z)) {
      tree.nearest(x, y, z);
      const nearest = Math.sqrt(tree.lastDistanceSquared);
      throw new MappingError(
        `${toLabel} point ${point} at (${[x, y, z].slice(0, dimension).join(", ")}) has no ${fromLabel} point closer than the MLS radius ${radius} (the nearest is ${nearest} away); increase the radius beyond that, or use k nearest neighbours instead`,
      );
    }
    scratch.fit(count);
    const row = scratch.rowWeights(count);
    for (let n = 0; n < count; n++) {
      if ((scratch.weights[n] as number) !== 0) builder.add(scratch.indices[n] as number, row[n] as number);
    }
    builder.finishRow(point);
  }
  return builder.build();
}

/**
 * One neighbourhood's least-squares fit, in preallocated arrays. The basis, in
 * coordinates u shifted to the weighted centroid and scaled by the support, is
 * made orthogonal block by block in the weighted inner product: the constant;
 * u (already orthogonal to it, by the choice of centroid); the quadratic
 * monomials minus their weighted mean and minus their part along u. The moment
 * matrix is then block diagonal and each block is solved — or pseudo-inverted —
 * on its own: constants are always reproduced; linear fields whenever the
 * neighbourhood spans them (along the plane or line when it is flat);
 * quadratics whenever it determines them. With enough well-spread neighbours
 * this is exactly the textbook MLS (the basis spans the same space).
 */
class NeighbourhoodScratch {
  indices: Int32Array;
  distancesSquared: Float64Array;
  weights: Float64Array;
  /** The row being computed: one weight per neighbour. */
  private rowOut: Float64Array;
  /** u of each neighbour, three per neighbour. */
  private linear: Float64Array;
  /** Orthogonalized quadratic part of each neighbour's basis. */
  private quadratic: Float64Array;
  private readonly linearMoments: Float64Array;
  private readonly crossMoments: Float64Array;
  private readonly quadraticMoments: Float64Array;
  private readonly quadraticMean: Float64Array;
  /** Row a: C_ll⁺ times row a of the cross moments (the quadratic monomials' part along u). */
  private readonly projection: Float64Array;
  private readonly row: Float64Array;
  private readonly solved: Float64Array;
  private readonly atLinear = new Float64Array(3);
  private readonly atQuadratic: Float64Array;
  private readonly linearSolution = new Float64Array(3);
  private readonly quadraticSolution: Float64Array;
  private readonly solver: SymmetricSolver;
  private weightSum = 0;
  private cx = 0;
  private cy = 0;
  private cz = 0;
  private scale = 1;
  private targetX = 0;
  private targetY = 0;
  private targetZ = 0;

  constructor(
    private capacity: number,
    private readonly dimension: number,
    private readonly quadraticTerms: number,
  ) {
    this.indices = new Int32Array(capacity);
    this.distancesSquared = new Float64Array(capacity);
    this.weights = new Float64Array(capacity);
    this.rowOut = new Float64Array(capacity);
    this.linear = new Float64Array(3 * capacity);
    this.quadratic = new Float64Array(Math.max(1, quadraticTerms) * capacity);
    this.linearMoments = new Float64Array(9);
    this.crossMoments = new Float64Array(6 * 3);
    this.quadraticMoments = new Float64Array(36);
    this.quadraticMean = new Float64Array(6);
    this.projection = new Float64Array(6 * 3);
    this.row = new Float64Array(6);
    this.solved = new Float64Array(6);
    this.atQuadratic = new Float64Array(6);
    this.quadraticSolution = new Float64Array(6);
    this.solver = new SymmetricSolver(6);
  }

  ensure(count: number): void {
    if (count <= this.capacity) return;
    this.capacity = 2 * count;
    this.indices = new Int32Array(this.capacity);
    this.distancesSquared = new Float64Array(this.capacity);
    this.weights = new Float64Array(this.capacity);
    this.rowOut = new Float64Array(this.capacity);
    this.linear = new Float64Array(3 * this.capacity);
    this.quadratic = new Float64Array(Math.max(1, this.quadraticTerms) * this.capacity);
  }

  /** Wendland C2 weights and the weighted centroid; false when every weight is 0. */
  weigh(count: number, support: number, xyz: Float64Array, x: number, y: number, z: number): boolean {
    let weightSum = 0;
    let cx = 0;
    let cy = 0;
    let cz = 0;
    for (let n = 0; n < count; n++) {
      const w = wendlandC2(Math.sqrt(this.distancesSquared[n] as number) / support);
      this.weights[n] = w;
      const j = this.indices[n] as number;
      weightSum += w;
      cx += w * (xyz[3 * j] as number);
      cy += w * (xyz[3 * j + 1] as number);
      cz += w * (xyz[3 * j + 2] as number);
    }
    if (!(weightSum > 0)) return false;
    this.weightSum = weightSum;
    this.cx = cx / weightSum;
    this.cy = cy / weightSum;
    this.cz = cz / weightSum;
    this.scale = 1 / support;
    this.targetX = x;
    this.targetY = y;
    this.targetZ = z;
    const linear = this.linear;
    for (let n = 0; n < count; n++) {
      const j = this.indices[n] as number;
      linear[3 * n] = ((xyz[3 * j] as number) - this.cx) * this.scale;
      linear[3 * n + 1] = ((xyz[3 * j + 1] as number) - this.cy) * this.scale;
      linear[3 * n + 2] = ((xyz[3 * j + 2] as number) - this.cz) * this.scale;
    }
    return true;
  }

  /** Solves the blocks for this neighbourhood's target point. */
  fit(count: number): void {
    const d = this.dimension;
    const linear = this.linear;
    const weights = this.weights;
    const moments = this.linearMoments;
    moments.fill(0);
    for (let n = 0; n < count; n++) {
      const w = weights[n] as number;
      for (let a = 0; a < d; a++) {
        const wa = w * (linear[3 * n + a] as number);
        for (let b = 0; b < d; b++)
          moments[a * d + b] = (moments[a * d + b] as number) + wa * (linear[3 * n + b] as number);
      }
    }
    const at = this.atLinear;
    at[0] = (this.targetX - this.cx) * this.scale;
    at[1] = (this.targetY - this.cy) * this.scale;
    at[2] = (this.targetZ - this.cz) * this.scale;
    this.solver.solve(moments, at, this.linearSolution, d);
    const q = this.quadraticTerms;
    if (q === 0) return;

    const quadratic = this.quadratic;
    const mean = this.quadraticMean;
    mean.fill(0);
    for (let n = 0; n < count; n++) {
      quadraticMonomials(
        d,
        linear[3 * n] as number,
        linear[3 * n + 1] as number,
        linear[3 * n + 2] as number,
        quadratic,
        n * q,
      );
      const w = weights[n] as number;
      for (let a = 0; a < q; a++) mean[a] = (mean[a] as number) + w * (quadratic[n * q + a] as number);
    }
    for (let a = 0; a < q; a++) mean[a] = (mean[a] as number) / this.weightSum;
    const cross = this.crossMoments;
    cross.fill(0);
    for (let n = 0; n < count; n++) {
      const w = weights[n] as number;
      for (let a = 0; a < q; a++) {
        const centred = (quadratic[n * q + a] as number) - (mean[a] as number);
        quadratic[n * q + a] = centred;
        for (let b = 0; b < d; b++)
          cross[a * d + b] = (cross[a * d + b] as number) + w * centred * (linear[3 * n + b] as number);
      }
    }
    const projection = this.projection;
    for (let a = 0; a < q; a++) {
      for (let b = 0; b < d; b++) this.row[b] = cross[a * d + b] as number;
      this.solver.solve(moments, this.row, this.solved, d);
      for (let b = 0; b < d; b++) projection[a * d + b] = this.solved[b] as number;
    }
    const quadraticMoments = this.quadraticMoments;
    quadraticMoments.fill(0);
    for (let n = 0; n < count; n++) {
      for (let a = 0; a < q; a++) {
        let value = quadratic[n * q + a] as number;
        for (let b = 0; b < d; b++) value -= (projection[a * d + b] as number) * (linear[3 * n + b] as number);
        quadratic[n * q + a] = value;
      }
      const w = weights[n] as number;
      for (let a = 0; a < q; a++) {
        const wa = w * (quadratic[n * q + a] as number);
        for (let b = 0; b < q; b++) {
          quadraticMoments[a * q + b] = (quadraticMoments[a * q + b] as number) + wa * (quadratic[n * q + b] as number);
        }
      }
    }
    const atQuadratic = this.atQuadratic;
    quadraticMonomials(d, at[0] as number, at[1] as number, at[2] as number, atQuadratic, 0);
    for (let a = 0; a < q; a++) {
      let value = (atQuadratic[a] as number) - (mean[a] as number);
      for (let b = 0; b < d; b++) value -= (projection[a * d + b] as number) * (at[b] as number);
      atQuadratic[a] = value;
    }
    this.solver.solve(quadraticMoments, atQuadratic, this.quadraticSolution, q);
  }

  /**
   * Every neighbour's weight in the target point's value. The blocks are
   * orthogonal only up to rounding, and a nearly degenerate block has a large
   * inverse, so one step of refinement per block (quadratic, linear, then the
   * constant) removes the residual of each reproduction condition.
   */
  rowWeights(count: number): Float64Array {
    const d = this.dimension;
    const q = this.quadraticTerms;
    const out = this.rowOut;
    const linear = this.linear;
    const quadratic = this.quadratic;
    const weights = this.weights;
    for (let n = 0; n < count; n++) {
      let basis = 1 / this.weightSum;
      for (let a = 0; a < d; a++) basis += (linear[3 * n + a] as number) * (this.linearSolution[a] as number);
      for (let a = 0; a < q; a++) basis += (quadratic[n * q + a] as number) * (this.quadraticSolution[a] as number);
      out[n] = (weights[n] as number) * basis;
    }
    if (q > 0) {
      for (let a = 0; a < q; a++) this.row[a] = -(this.atQuadratic[a] as number);
      for (let n = 0; n < count; n++) {
        for (let a = 0; a < q; a++)
          this.row[a] = (this.row[a] as number) + (out[n] as number) * (quadratic[n * q + a] as number);
      }
      this.solver.solve(this.quadraticMoments, this.row, this.solved, q);
      for (let n = 0; n < count; n++) {
        let correction = 0;
        for (let a = 0; a < q; a++) correction += (quadratic[n * q + a] as number) * (this.solved[a] as number);
        out[n] = (out[n] as number) - (weights[n] as number) * correction;
      }
    }
    for (let a = 0; a < d; a++) this.row[a] = -(this.atLinear[a] as number);
    for (let n = 0; n < count; n++) {
      for (let a = 0; a < d; a++)
        this.row[a] = (this.row[a] as number) + (out[n] as number) * (linear[3 * n + a] as number);
    }
    this.solver.solve(this.linearMoments, this.row, this.solved, d);
    let sum = 0;
    for (let n = 0; n < count; n++) {
      let correction = 0;
      for (let a = 0; a < d; a++) correction += (linear[3 * n + a] as number) * (this.solved[a] as number);
      out[n] = (out[n] as number) - (weights[n] as number) * correction;
      sum += out[n] as number;
    }
    const shepard = (1 - sum) / this.weightSum;
    for (let n = 0; n < count; n++) out[n] = (out[n] as number) + (weights[n] as number) * shepard;
    return out;
  }
}

/** The degree-2 monomials of (u, v, w) in the first `dimension` axes: uu, uv, uw, vv, vw, ww. */
function quadraticMonomials(
  dimension: number,
  u: number,
  v: number,
  w: number,
  out: Float64Array,
  offset: number,
): void {
  out[offset] = u * u;
  if (dimension === 1) return;
  out[offset + 1] = u * v;
  if (dimension === 2) {
    out[offset + 2] = v * v;
    return;
  }
  out[offset + 2] = u * w;
  out[offset + 3] = v * v;
  out[offset + 4] = v * w;
  out[offset + 5] = w * w;
}
