// A component in TypeScript, on the SDK (conflux-coupling/component).
import { SCAFFOLD_PHYSICS } from "./scaffold-files.ts";

export function typescriptComponent(name: string): string {
  return `// ${name}: a conflux component. It shares one mesh, "interface" (64 points on [0, 1]), with two fields; each step
// it writes the field it owns from the one it receives. The stand-in physics: ${SCAFFOLD_PHYSICS}.
// Put your solver in the step.
import { Component } from "conflux-coupling/component";

const component = Component.connect();
try {
  const points = Number(component.args.points ?? 64);
  const ownsTemperature = component.args.owns_temperature !== 0;
  const mesh = component.shareMesh("interface", {
    dimension: 1,
    count: points,
    layout: "soa",
    fields: ["temperature", "flux"],
  });
  for (let point = 0; point < points; point++) mesh.coordinates[point] = point / (points - 1);
  const owned = mesh.field(ownsTemperature ? "temperature" : "flux");
  const received = mesh.field(ownsTemperature ? "flux" : "temperature");
  component.loop(() => {
    for (let point = 0; point < points; point++) {
      owned[point] = ownsTemperature ? mesh.coordinates[point] + received[point] / 2 : received[point] / 2;
    }
  });
} finally {
  component.close();
}
`;
}
