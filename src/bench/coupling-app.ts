// The components of `conflux bench coupling`, the peer's own scenario: they do
// nothing but write a field and read the mapped one. A writes f = 1 + x + 2y + 3z
// once per window; B reads f on its mesh and writes back twice the value.
// Points: `points` uniform random 3-D points from args.seed. With args.drift,
// A adds the window's number, so that every window's field is new (the bench
// across nodes, where an unchanged field would not cross at all).

import { Component } from "../component/index.ts";
import { seedPoints } from "./seed-workload.ts";

const component = Component.connect();
try {
  const points = Number(component.args.points);
  const seed = Number(component.args.seed);
  const role = String(component.args.role);
  const drift = component.args.drift === true;
  const mesh = component.shareMesh("mesh", { dimension: 3, count: points, layout: "soa", fields: ["written", "read"] });
  mesh.coordinates.set(seedPoints(points, seed));
  const written = mesh.field("written");
  const read = mesh.field("read");
  const x = mesh.coordinates.subarray(0, points);
  const y = mesh.coordinates.subarray(points, 2 * points);
  const z = mesh.coordinates.subarray(2 * points, 3 * points);
  if (role === "a") {
    component.loop((window) => {
      const shift = drift ? window : 0;
      for (let index = 0; index < points; index++) {
        written[index] = 1 + (x[index] as number) + 2 * (y[index] as number) + 3 * (z[index] as number) + shift;
      }
    });
  } else {
    component.loop(() => {
      for (let index = 0; index < points; index++) written[index] = 2 * (read[index] as number);
    });
  }
} finally {
  component.close();
}
