// A component in Python, on the Python client (clients/python).
import { SCAFFOLD_PHYSICS } from "./scaffold-files.ts";

export function pythonComponent(name: string): string {
  return `#!/usr/bin/env python3
"""${name}: a conflux component. It shares one mesh, "interface" (64 points on [0, 1]), with two fields; each step it
writes the field it owns from the one it receives. The stand-in physics: ${SCAFFOLD_PHYSICS}.
Put your solver in step()."""

import sys

import conflux


def main() -> int:
    try:
        component = conflux.connect()
    except conflux.ConfluxError as error:
        print(f"ERROR: connect() failed: {error}", file=sys.stderr)
        return 1
    with component:
        points = int(component.args.get("points", 64))
        owns_temperature = component.args.get("owns_temperature", 1) != 0
        mesh = component.share_mesh("interface", 1, points, "soa", ["temperature", "flux"])
        for point in range(points):
            mesh.coordinates[point] = point / (points - 1)
        owned = mesh.field("temperature" if owns_temperature else "flux")
        received = mesh.field("flux" if owns_temperature else "temperature")
        coordinates = mesh.coordinates

        def step(iteration: int) -> None:
            for point in range(points):
                owned[point] = coordinates[point] + received[point] / 2 if owns_temperature else received[point] / 2

        component.loop(step)
    return 0


if __name__ == "__main__":
    sys.exit(main())
`;
}
