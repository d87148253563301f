// The start every hostile variant of the seed demonstration's appB shares
// (test/coupling/fixtures/): what it does before it turns faulty, the same as
// the example's appB, so that a driver sees a well-behaved component until
// the fault.
import { initialField, neighbourGraph, seedPoints, settingsFrom } from "../../src/bench/seed-workload.ts";
import type { Component } from "../../src/component/component.ts";

/**
 * appB's settings from the component's args, its mesh (both fields) shared
 * with the coordinates and its own field (flux) set, the neighbour graph, and
 * the scratch array its steps use.
 */
export function startSeedAppB(component: Component) {
  const settings = settingsFrom(
    { points: component.args.points, seed: component.args.seed, sweeps: component.args.sweeps },
    "flux",
  );
  const mesh = component.shareMesh("surface", {
    dimension: 3,
    count: settings.points,
    layout: "soa",
    fields: ["temperature", "flux"],
  });
  mesh.coordinates.set(seedPoints(settings.points, settings.seed));
  initialField(mesh.coordinates, settings.points, "flux", mesh.field("flux"));
  const graph = neighbourGraph(mesh.coordinates, settings.points, settings.neighbours);
  return { settings, mesh, graph, scratch: new Float64Array(settings.points) };
}
