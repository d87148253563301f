// A seed application as a conflux component: connect, share the mesh with
// both fields, say ready, then step until the driver says stop. The step is
// the talk's work, which the seed benchmark shares (src/bench/seed-workload.ts).

import { Component } from "conflux-coupling/component";
import { initialField, neighbourGraph, seedPoints, seedStep, settingsFrom } from "conflux-coupling/seed-demo";

export function runSeedApp(owns: "temperature" | "flux"): void {
  const component = Component.connect();
  try {
    const settings = settingsFrom(component.args, owns);
    const mesh = component.shareMesh("surface", {
      dimension: 3,
      count: settings.points,
      layout: "soa",
      fields: ["temperature", "flux"],
    });
    mesh.coordinates.set(seedPoints(settings.points, settings.seed));
    const owned = mesh.field(settings.owns);
    const received = mesh.field(settings.receives);
    initialField(mesh.coordinates, settings.points, settings.owns, owned);
    const graph = neighbourGraph(mesh.coordinates, settings.points, settings.neighbours);
    const scratch = new Float64Array(settings.points);
    component.loop(() => seedStep(owned, received, graph, settings.neighbours, settings.sweeps, scratch));
  } finally {
    component.close();
  }
}
