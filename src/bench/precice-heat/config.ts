// The preCICE configuration of the partitioned heat case, equivalent to
// examples/partitioned-heat/conflux*.yaml: serial-implicit with the Dirichlet
// participant first, window 0.1 to max-time 1.0, every substep exchanged with
// waveform degree 1, nearest-neighbour consistent read mappings, relative
// convergence limit 1e-10 on both data, at most 100 iterations, and one of
// three accelerations on the temperature (what the second participant sends,
// as preCICE's serial schemes accelerate). The accelerations' settings are the
// tutorial's (constant 0.5 is its default; its IQN-ILS block is the commented
// one) and the same as the Conflux compositions'.

import { meshXml, PRECICE_CONFIG_HEAD, participantXml, xmlAttribute } from "../precice-config-xml.ts";

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

function accelerationElement(acceleration: HeatAcceleration): string {
  switch (acceleration) {
    case "constant":
      return ["    <acceleration:constant>", '      <relaxation value="0.5" />', "    </acceleration:constant>"].join(
        "\n",
      );
    case "aitken":
      return [
        "    <acceleration:aitken>",
        '      <data name="Temperature" mesh="Neumann-Mesh" />',
        '      <initial-relaxation value="0.5" />',
        "    </acceleration:aitken>",
      ].join("\n");
    case "iqn-ils":
      return [
        "    <acceleration:IQN-ILS>",
        '      <data name="Temperature" mesh="Neumann-Mesh" />',
        '      <initial-relaxation value="0.1" />',
        '      <max-used-iterations value="10" />',
        '      <time-windows-reused value="5" />',
        '      <filter type="QR2" limit="1e-3" />',
        "    </acceleration:IQN-ILS>",
      ].join("\n");
  }
}

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
  return `${PRECICE_CONFIG_HEAD}

  <data:scalar name="Temperature" waveform-degree="1" />
  <data:scalar name="Heat-Flux" waveform-degree="1" />

${meshXml(side("Dirichlet").mesh, HEAT_DATA)}

${meshXml(side("Neumann").mesh, HEAT_DATA)}

${participantXml(side("Dirichlet"), side("Neumann"), "Heat-Flux", "Temperature")}

${participantXml(side("Neumann"), side("Dirichlet"), "Temperature", "Heat-Flux")}

  <m2n:sockets acceptor="Dirichlet" connector="Neumann" network="lo" exchange-directory="${xmlAttribute(exchangeDirectory)}" />

  <coupling-scheme:serial-implicit>
    <participants first="Dirichlet" second="Neumann" />
    <max-time value="${heat.maxTime}" />
    <time-window-size value="${heat.window}" />
    <max-iterations value="${heat.maxIterations}" />
    <exchange data="Heat-Flux" mesh="Dirichlet-Mesh" from="Dirichlet" to="Neumann" initialize="true" substeps="true" />
    <exchange data="Temperature" mesh="Neumann-Mesh" from="Neumann" to="Dirichlet" initialize="true" substeps="true" />
    <relative-convergence-measure data="Heat-Flux" mesh="Dirichlet-Mesh" limit="${heat.limit}" />
    <relative-convergence-measure data="Temperature" mesh="Neumann-Mesh" limit="${heat.limit}" />
${accelerationElement(acceleration)}
  </coupling-scheme:serial-implicit>
</precice-configuration>
`;
}
