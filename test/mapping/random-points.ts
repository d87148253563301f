// Seeded point sets for the mapping tests (not a test file: the runner only
// picks up *.test.ts), so that every failure can be reproduced exactly.
import {
  type CoordinateLayout,
  type Dimension,
  type PointSet,
  pointSetFromMetadata,
} from "../../src/mapping/spatial/point-set.ts";
import { seededRandom } from "../support/seeded-random.ts";

/** `count` points uniformly in the unit box of the given dimension. */
export function randomPoints(
  dimension: Dimension,
  count: number,
  seed: number,
  layout: CoordinateLayout = "interleaved",
): PointSet {
  const random = seededRandom(seed);
  const coordinates = new Float64Array(dimension * count);
  for (let index = 0; index < coordinates.length; index++) coordinates[index] = random();
  const interleaved = pointSetFromMetadata({ dimension, count, layout: "interleaved" }, coordinates);
  return layout === "interleaved" ? interleaved : toSoa(interleaved);
}

export function toSoa(points: PointSet): PointSet {
  const { dimension, count } = points;
  const coordinates = new Float64Array(dimension * count);
  for (let index = 0; index < count; index++) {
    for (let axis = 0; axis < dimension; axis++) {
      coordinates[axis * count + index] = points.coordinates[index * dimension + axis] as number;
    }
  }
  return pointSetFromMetadata({ dimension, count, layout: "soa" }, coordinates);
}

/** A regular grid of `perAxis`^dimension points spanning [0, 1] on each axis. */
export function gridPoints(dimension: Dimension, perAxis: number): PointSet {
  const count = perAxis ** dimension;
  const coordinates = new Float64Array(dimension * count);
  for (let index = 0; index < count; index++) {
    let rest = index;
    for (let axis = 0; axis < dimension; axis++) {
      coordinates[index * dimension + axis] = (rest % perAxis) / (perAxis - 1);
      rest = Math.floor(rest / perAxis);
    }
  }
  return pointSetFromMetadata({ dimension, count, layout: "interleaved" }, coordinates);
}

/** Evaluates f at every point (interleaved or soa). */
export function sample(points: PointSet, f: (x: number, y: number, z: number) => number): Float64Array {
  const values = new Float64Array(points.count);
  const { dimension, count } = points;
  for (let index = 0; index < count; index++) {
    const at = (axis: number): number =>
      axis >= dimension
        ? 0
        : (points.coordinates[points.layout === "soa" ? axis * count + index : index * dimension + axis] as number);
    values[index] = f(at(0), at(1), at(2));
  }
  return values;
}

export function maxAbsDifference(a: Float64Array, b: Float64Array): number {
  let worst = 0;
  for (let index = 0; index < a.length; index++) {
    worst = Math.max(worst, Math.abs((a[index] as number) - (b[index] as number)));
  }
  return worst;
}

export function sum(values: Float64Array): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
