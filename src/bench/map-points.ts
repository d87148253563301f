// The points `bench map` maps: seeded uniform points in the unit cube
// (mulberry32), the same in every run, and written as raw little-endian
// doubles (x0 y0 z0 x1 …) for the peers, so that they map the very same points.
import { writeFileSync } from "node:fs";
import { type PointSet, pointSetFromMetadata } from "../mapping/index.ts";

export function unitCubePoints(count: number, seed: number): PointSet {
  let state = seed >>> 0;
  const coordinates = new Float64Array(3 * count);
  for (let index = 0; index < coordinates.length; index++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    coordinates[index] = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  return pointSetFromMetadata({ dimension: 3, count, layout: "interleaved" }, coordinates);
}

/** Writes interleaved 3-D points as raw doubles (this machine's byte order, little-endian on every target we build for). */
export function writePointsFile(path: string, points: PointSet): void {
  if (points.layout !== "interleaved" || points.dimension !== 3) throw new Error("peers read interleaved 3-D points");
  writeFileSync(
    path,
    new Uint8Array(points.coordinates.buffer, points.coordinates.byteOffset, points.coordinates.byteLength),
  );
}
