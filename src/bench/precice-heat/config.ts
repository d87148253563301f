// The preCICE configuration of the partitioned heat case, equivalent to
// examples/partitioned-heat/conflux*.yaml: serial-implicit with the Dirichlet
// participant first, window 0.1 to max-time 1.0, every substep exchanged with
// waveform degree 1, nearest-neighbour consistent read mappings, relative
// convergence limit 1e-10 on both data, at most 100 iterations, and one of
// three accelerations on the temperature (what the second participant sends,
// as preCICE's serial schemes accelerate). The accelerations' settings are the
// tutorial's (constant 0.5 is its default; its IQN-ILS block is the commented
// one) and the same as the Conflux compositions'.

import { accelerationXml, type PreciceAcceleration, twoParticipantConfigXml } from "../precice-config-xml.ts";

export type HeatAcceleration = "constant" | "aitken" | "iqn-ils";

export const HEAT_ACCELERATIONS: readonly HeatAcceleration[] = ["constant", "aitken", "iqn-ils"];

export interface HeatCase {
  /** Nodes per side along x and y (11 × 11, as the tutorial). */
  nx: number;
  ny: number;
  /** The solver's step (0.01: ten substeps a window). */
  dt: number;
  window: number;
  maxTime: number;
  limit: number;
  maxIterations: number;
}

export const TUTORIAL_CASE: HeatCase = {
  nx: 11,
  ny: 11,
  dt: 0.01,
  window: 0.1,
  maxTime: 1.0,
  limit: 1e-10,
  maxIterations: 100,
};

const TEMPERATURE = { data: "Temperature", mesh: "Neumann-Mesh" };

const ACCELERATIONS: Record<HeatAcceleration, PreciceAcceleration> = {
  constant: { method: "constant", relaxation: "0.5" },
  aitken: { method: "aitken", ...TEMPERATURE, initialRelaxation: "0.5" },
  "iqn-ils": {
    method: "IQN-ILS",
    ...TEMPERATURE,
    initialRelaxation: "0.1",
    maxUsedIterations: 10,
    timeWindowsReused: 5,
    filter: "QR2",
    filterLimit: "1e-3",
  },
};

/** A side: its participant and its mesh (`name`-Mesh, which carries both fields). */
function side(name: string): { name: string; mesh: string } {
  return { name, mesh: `${name}-Mesh` };
}

const HEAT_DATA = ["Temperature", "Heat-Flux"];

/** The configuration file's text; the participants meet through files in `exchangeDirectory`, over loopback sockets. */
export function preciceHeatConfig(
  acceleration: HeatAcceleration,
  exchangeDirectory: string,
  heat: HeatCase = TUTORIAL_CASE,
): string {
  return twoParticipantConfigXml(
    {
      scalars: ["Temperature", "Heat-Flux"],
      waveformDegree: 1,
      meshData: HEAT_DATA,
      scheme: {
        first: side("Dirichlet"),
        second: side("Neumann"),
        maxTime: String(heat.maxTime),
        window: String(heat.window),
        maxIterations: heat.maxIterations,
        exchanges: [
          { data: "Heat-Flux", from: side("Dirichlet"), to: side("Neumann"), initialize: true, substeps: true },
          { data: "Temperature", from: side("Neumann"), to: side("Dirichlet"), initialize: true, substeps: true },
        ],
        limit: String(heat.limit),
        acceleration: accelerationXml(ACCELERATIONS[acceleration]),
      },
    },
    exchangeDirectory,
  );
}
