// bench/precice-tube/ owns the 1-D elastic tube through preCICE: its configuration and its runs, one per acceleration.
// It must not hold numerics of its own: it builds the example's participants (examples/elastic-tube-1d/precice/) by path.

// The preCICE configuration of the 1-D elastic tube as `conflux bench implicit`
// runs it: examples/elastic-tube-1d/precice/precice-config.xml (the tutorial's:
// serial-implicit with the fluid first, window 0.01 to 1.0, relative limit 1e-5
// on both data, nearest-neighbour consistent read mappings) without its
// exports, which would be timed with the coupling, and with the acceleration on
// the area and the iteration limit of each variant the Conflux compositions
// compare (examples/elastic-tube-1d/conflux*.yaml): the tutorial's IQN-ILS
// (at most 40), Aitken from 0.01 (at most 100; preCICE goes on past a window
// at its maximum, as the composition's on_max_iterations: continue) and
// constant relaxation 0.01 (at most 400).

import { accelerationXml, type PreciceAcceleration, twoParticipantConfigXml } from "../precice-config-xml.ts";

export type TubeAcceleration = "iqn-ils" | "aitken" | "constant";

export const TUBE_ACCELERATIONS: readonly TubeAcceleration[] = ["iqn-ils", "aitken", "constant"];

export const TUBE_MAX_ITERATIONS: Record<TubeAcceleration, number> = { "iqn-ils": 40, aitken: 100, constant: 400 };

const FLUID = { name: "Fluid", mesh: "Fluid-Nodes-Mesh" };
const SOLID = { name: "Solid", mesh: "Solid-Nodes-Mesh" };
/** Both meshes carry both fields. */
const TUBE_DATA = ["CrossSectionLength", "Pressure"];

const CROSS_SECTION = { data: "CrossSectionLength", mesh: SOLID.mesh };

const ACCELERATIONS: Record<TubeAcceleration, PreciceAcceleration> = {
  "iqn-ils": {
    method: "IQN-ILS",
    ...CROSS_SECTION,
    initialRelaxation: "0.01",
    maxUsedIterations: 50,
    timeWindowsReused: 8,
    filter: "QR2",
    filterLimit: "1e-3",
  },
  aitken: { method: "aitken", ...CROSS_SECTION, initialRelaxation: "0.01" },
  constant: { method: "constant", relaxation: "0.01" },
};

/** The configuration file's text; the participants meet through files in `exchangeDirectory`, over loopback sockets. */
export function preciceTubeConfig(acceleration: TubeAcceleration, exchangeDirectory: string): string {
  return twoParticipantConfigXml(
    {
      scalars: ["Pressure", "CrossSectionLength"],
      meshData: TUBE_DATA,
      scheme: {
        first: FLUID,
        second: SOLID,
        maxTime: "1.0",
        window: "0.01",
        maxIterations: TUBE_MAX_ITERATIONS[acceleration],
        exchanges: [
          { data: "Pressure", from: FLUID, to: SOLID, initialize: false, substeps: false },
          { data: "CrossSectionLength", from: SOLID, to: FLUID, initialize: true, substeps: false },
        ],
        limit: "1e-5",
        acceleration: accelerationXml(ACCELERATIONS[acceleration]),
      },
    },
    exchangeDirectory,
  );
}
