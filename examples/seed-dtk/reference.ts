// The seed demonstration computed in one process, with no queues and no
// enclaves: the reference a coupled run must reproduce (to 1e-12; it does so
// bit for bit, since every operation happens in the same order).

import type { PointSet, TransferOperator } from "conflux-coupling/mapping";
import { initialField, neighbourGraph, type SeedAppSettings, seedPoints, seedStep } from "conflux-coupling/seed-demo";

export interface SeedState {
  temperatureA: Float64Array;
  fluxA: Float64Array;
  temperatureB: Float64Array;
  fluxB: Float64Array;
}

function pointSet(coordinates: Float64Array, count: number): PointSet {
  return { dimension: 3, count, layout: "soa", coordinates };
}

export function seedReference(
  a: SeedAppSettings,
  b: SeedAppSettings,
  iterations: number,
  buildOperator: (source: PointSet, target: PointSet) => TransferOperator,
): SeedState {
  const pointsA = seedPoints(a.points, a.seed);
  const pointsB = seedPoints(b.points, b.seed);
  const state: SeedState = {
    temperatureA: new Float64Array(a.points),
    fluxA: new Float64Array(a.points),
    temperatureB: new Float64Array(b.points),
    fluxB: new Float64Array(b.points),
  };
  initialField(pointsA, a.points, "temperature", state.temperatureA);
  initialField(pointsB, b.points, "flux", state.fluxB);
  const graphA = neighbourGraph(pointsA, a.points, a.neighbours);
  const graphB = neighbourGraph(pointsB, b.points, b.neighbours);
  const aToB = buildOperator(pointSet(pointsA, a.points), pointSet(pointsB, b.points));
  const bToA = buildOperator(pointSet(pointsB, b.points), pointSet(pointsA, a.points));
  const scratchA = new Float64Array(a.points);
  const scratchB = new Float64Array(b.points);
  for (let iteration = 0; iteration < iterations; iteration++) {
    seedStep(state.temperatureA, state.fluxA, graphA, a.neighbours, a.sweeps, scratchA);
    aToB.apply(state.temperatureA, state.temperatureB);
    seedStep(state.fluxB, state.temperatureB, graphB, b.neighbours, b.sweeps, scratchB);
    bToA.apply(state.fluxB, state.fluxA);
  }
  return state;
}
