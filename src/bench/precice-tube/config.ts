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

import { meshXml, PRECICE_CONFIG_HEAD, participantXml, xmlAttribute } from "../precice-config-xml.ts";

export type TubeAcceleration = "iqn-ils" | "aitken" | "constant";

export const TUBE_ACCELERATIONS: readonly TubeAcceleration[] = ["iqn-ils", "aitken", "constant"];

export const TUBE_MAX_ITERATIONS: Record<TubeAcceleration, number> = { "iqn-ils": 40, aitken: 100, constant: 400 };

const FLUID = { name: "Fluid", mesh: "Fluid-Nodes-Mesh" };
const SOLID = { name: "Solid", mesh: "Solid-Nodes-Mesh" };
/** Both meshes carry both fields. */
const TUBE_DATA = ["CrossSectionLength", "Pressure"];

function accelerationElement(acceleration: TubeAcceleration): string {
  switch (acceleration) {
    case "iqn-ils":
      return [
        "    <acceleration:IQN-ILS>",
        '      <data name="CrossSectionLength" mesh="Solid-Nodes-Mesh" />',
        '      <initial-relaxation value="0.01" />',
        '      <max-used-iterations value="50" />',
        '      <time-windows-reused value="8" />',
        '      <filter type="QR2" limit="1e-3" />',
        "    </acceleration:IQN-ILS>",
      ].join("\n");
    case "aitken":
      return [
        "    <acceleration:aitken>",
        '      <data name="CrossSectionLength" mesh="Solid-Nodes-Mesh" />',
        '      <initial-relaxation value="0.01" />',
        "    </acceleration:aitken>",
      ].join("\n");
    case "constant":
      return ["    <acceleration:constant>", '      <relaxation value="0.01" />', "    </acceleration:constant>"].join(
        "\n",
      );
  }
}

/** The configuration file's text; the participants meet through files in `exchangeDirectory`, over loopback sockets. */
export function preciceTubeConfig(acceleration: TubeAcceleration, exchangeDirectory: string): string {
  return `${PRECICE_CONFIG_HEAD}

  <data:scalar name="Pressure" />
  <data:scalar name="CrossSectionLength" />

${meshXml(FLUID.mesh, TUBE_DATA)}

${meshXml(SOLID.mesh, TUBE_DATA)}

${participantXml(FLUID, SOLID, "Pressure", "CrossSectionLength")}

${participantXml(SOLID, FLUID, "CrossSectionLength", "Pressure")}

  <m2n:sockets acceptor="Fluid" connector="Solid" network="lo" exchange-directory="${xmlAttribute(exchangeDirectory)}" />

  <coupling-scheme:serial-implicit>
    <participants first="Fluid" second="Solid" />
    <max-time value="1.0" />
    <time-window-size value="0.01" />
    <max-iterations value="${TUBE_MAX_ITERATIONS[acceleration]}" />
    <exchange data="Pressure" mesh="Fluid-Nodes-Mesh" from="Fluid" to="Solid" />
    <exchange data="CrossSectionLength" mesh="Solid-Nodes-Mesh" from="Solid" to="Fluid" initialize="true" />
    <relative-convergence-measure data="Pressure" mesh="Fluid-Nodes-Mesh" limit="1e-5" />
    <relative-convergence-measure data="CrossSectionLength" mesh="Solid-Nodes-Mesh" limit="1e-5" />
${accelerationElement(acceleration)}
  </coupling-scheme:serial-implicit>
</precice-configuration>
`;
}
