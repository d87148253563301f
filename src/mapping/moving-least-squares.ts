// Moving least squares. For every receiving point t, fit a polynomial (linear
// or quadratic) to the values of its neighbours by least squares weighted with
// Wendland C2 of distance / h, and take the fit's value at t. The fit is linear
// in the values, so each receiving point gets fixed weights: one row of a
// sparse matrix, computed here once. Neighbours are the points within a radius
// (h = radius) or the k nearest (h = 1.5 × the k-th distance).
// Coordinates are shifted to the neighbours' weighted centroid and scaled by h
// before the moment matrix is formed; it is then solved by Cholesky, or by the
// pseudo-inverse when the neighbourhood is degenerate (coplanar, collinear,
// too few points), which keeps constants — and polynomials along the
// neighbourhood — reproduced exactly.
import { KdTree, NeighbourList } from "./kd-tree.ts";
import { MappingError } from "./mapping-error.ts";
import { mortonOrder } from "./morton-order.ts";
import { evaluatePolynomialBasis, type PolynomialDegree, polynomialTermCount } from "./polynomial-basis.ts";
import { type PointSet, validateTransferMeshes, xyzCoordinates } from "./point-set.ts";
import {
  type CompressedRows,
  CompressedRowsBuilder,
  SparseTransferOperator,
  transposeRows,
} from "./sparse-operator.ts";
import { SymmetricSolver } from "./symmetric-solve.ts";
import { wendlandC2 } from "./wendland.ts";

export type MovingLeastSquaresBasis = "linear" | "quadratic";

export interface MovingLeastSquaresOptions {
  basis?: MovingLeastSquaresBasis;
  /** Neighbours are the points within this distance. Give radius or k, not both. */
  radius?: number;
  /** Neighbours are the k nearest points; the default is twice the number of basis terms, plus 2. */
  k?: number;
  conservative?: boolean;
}

/** In k-nearest mode the weight reaches zero this far beyond the k-th neighbour, so that every neighbour counts. */
const K_NEAREST_SUPPORT_FACTOR = 1.5;

export function defaultNeighbourCount(dimension: number, basis: MovingLeastSquaresBasis): number {
  return 2 * polynomialTermCount(dimension, basis === "quadratic" ? 2 : 1) + 2;
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
  const degree: PolynomialDegree = basis === "quadratic" ? 2 : 1;
  const terms = polynomialTermCount(dimension, degree);

  const tree = KdTree.build(from);
  const fromXyz = xyzCoordinates(from);
  const toXyz = xyzCoordinates(to);
  const order = mortonOrder(to);
  const neighbours = new NeighbourList(64);
  let capacity = Math.max(64, k);
  let indices = new Int32Array(capacity);
  let distancesSquared = new Float64Array(capacity);
  let weights = new Float64Array(capacity);
  let basisValues = new Float64Array(capacity * terms);
  const moments = new Float64Array(terms * terms);
  const atPoint = new Float64Array(terms);
  const solution = new Float64Array(terms);
  const solver = new SymmetricSolver(terms);
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
      if (count > capacity) {
        capacity = 2 * count;
        indices = new Int32Array(capacity);
        distancesSquared = new Float64Array(capacity);
        weights = new Float64Array(capacity);
        basisValues = new Float64Array(capacity * terms);
      }
      indices.set(neighbours.indices.subarray(0, count));
      distancesSquared.set(neighbours.distancesSquared.subarray(0, count));
      support = radius;
    } else {
      count = tree.kNearest(x, y, z, k, indices, distancesSquared);
      const farthest = Math.sqrt(distancesSquared[count - 1] as number);
      support = farthest > 0 ? K_NEAREST_SUPPORT_FACTOR * farthest : 1;
    }

    // Weights and the weighted centroid of the neighbourhood.
    let weightSum = 0;
    let cx = 0;
    let cy = 0;
    let cz = 0;
    for (let n = 0; n < count; n++) {
      const w = wendlandC2(Math.sqrt(distancesSquared[n] as number) / support);
      weights[n] = w;
      const j = indices[n] as number;
      weightSum += w;
      cx += w * (fromXyz[3 * j] as number);
      cy += w * (fromXyz[3 * j + 1] as number);
      cz += w * (fromXyz[3 * j + 2] as number);
    }
    if (!(weightSum > 0)) {
      tree.nearest(x, y, z);
      const nearest = Math.sqrt(tree.lastDistanceSquared);
      throw new MappingError(
        `${toLabel} point ${point} at (${[x, y, z].slice(0, dimension).join(", ")}) has no ${fromLabel} point closer than the MLS radius ${radius} (the nearest is ${nearest} away); increase the radius beyond that, or use k nearest neighbours instead`,
      );
    }
    cx /= weightSum;
    cy /= weightSum;
    cz /= weightSum;

    // Moment matrix Σ w p pᵀ in shifted, scaled coordinates.
    moments.fill(0);
    const scale = 1 / support;
    for (let n = 0; n < count; n++) {
      const j = indices[n] as number;
      const offset = n * terms;
      evaluatePolynomialBasis(
        dimension,
        degree,
        ((fromXyz[3 * j] as number) - cx) * scale,
        ((fromXyz[3 * j + 1] as number) - cy) * scale,
        ((fromXyz[3 * j + 2] as number) - cz) * scale,
        basisValues,
        offset,
      );
      const w = weights[n] as number;
      for (let a = 0; a < terms; a++) {
        const wa = w * (basisValues[offset + a] as number);
        for (let b = a; b < terms; b++) {
          moments[a * terms + b] = (moments[a * terms + b] as number) + wa * (basisValues[offset + b] as number);
        }
      }
    }
    for (let a = 0; a < terms; a++) {
      for (let b = 0; b < a; b++) moments[a * terms + b] = moments[b * terms + a] as number;
    }
    evaluatePolynomialBasis(dimension, degree, (x - cx) * scale, (y - cy) * scale, (z - cz) * scale, atPoint);
    solver.solve(moments, atPoint, solution, terms);

    for (let n = 0; n < count; n++) {
      const w = weights[n] as number;
      if (w === 0) continue;
      const offset = n * terms;
      let value = 0;
      for (let a = 0; a < terms; a++) value += (basisValues[offset + a] as number) * (solution[a] as number);
      builder.add(indices[n] as number, w * value);
    }
    builder.finishRow(point);
  }
  return builder.build();
}
