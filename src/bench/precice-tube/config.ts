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

export type TubeAcceleration = "iqn-ils" | "aitken" | "constant";

export const TUBE_ACCELERATIONS: readonly TubeAcceleration[] = ["iqn-ils", "aitken", "constant"];

export const TUBE_MAX_ITERATIONS: Record<TubeAcceleration, number> = { "iqn-ils": 40, aitken: 100, constant: 400 };

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

function xmlAttribute(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}

/** The configuration file's text; the participants meet through files in `exchangeDirectory`, over loopback sockets. */
export function preciceTubeConfig(acceleration: TubeAcceleration, exchangeDirectory: string): string {
  return `<?xml version="1.0" encoding="UTF-8" ?>
<precice-configuration>
  <log>
    <sink filter="%Severity% > info" format="---[precice] %Severity% %Message%" enabled="true" />
  </log>

  <profiling mode="off" />

  <data:scalar name="Pressure" />
  <data:scalar name="CrossSectionLength" />

  <mesh name="Fluid-Nodes-Mesh" dimensions="2">
    <use-data name="CrossSectionLength" />
    <use-data name="Pressure" />
  </mesh>

  <mesh name="Solid-Nodes-Mesh" dimensions="2">
    <use-data name="CrossSectionLength" />
    <use-data name="Pressure" />
  </mesh>

  <participant name="Fluid">
    <provide-mesh name="Fluid-Nodes-Mesh" />
    <receive-mesh name="Solid-Nodes-Mesh" from="Solid" />
    <write-data name="Pressure" mesh="Fluid-Nodes-Mesh" />
    <read-data name="CrossSectionLength" mesh="Fluid-Nodes-Mesh" />
    <mapping:nearest-neighbor direction="read" from="Solid-Nodes-Mesh" to="Fluid-Nodes-Mesh" constraint="consistent" />
  </participant>

  <participant name="Solid">
    <provide-mesh name="Solid-Nodes-Mesh" />
    <receive-mesh name="Fluid-Nodes-Mesh" from="Fluid" />
    <write-data name="CrossSectionLength" mesh="Solid-Nodes-Mesh" />
    <read-data name="Pressure" mesh="Solid-Nodes-Mesh" />
    <mapping:nearest-neighbor direction="read" from="Fluid-Nodes-Mesh" to="Solid-Nodes-Mesh" constraint="consistent" />
  </participant>

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
