// bench/coupling-peers/ owns the peers `bench coupling` runs beside ours: preCICE's two-participant benchmark.
// It must not time our columns: coupling-repetitions.ts interleaves them with the peer's.

// The configuration preCICE's two-participant benchmark runs under in
// `bench coupling --peer precice`: the bench's scenario in preCICE's terms.
// Each participant reads the other's field through a read mapping onto its own
// mesh (nearest-neighbour, or RBF partition of unity with the Wendland C2
// kernel of radius 0.3, the operator ours applies), serial explicit, one
// window per time unit, as many windows as ours, and a quiet log with
// profiling off so that neither writes during a window.
import type { CouplingOperator } from "../coupling.ts";

function mapping(operator: CouplingOperator, from: string, to: string): string {
  const attributes = `direction="read" from="${from}" to="${to}" constraint="consistent"`;
  if (operator === "nearest") return `<mapping:nearest-neighbor ${attributes} />`;
  // compact-polynomial-c2 is Wendland's C2 function, ours' wendland-c2.
  return `<mapping:rbf-pum-direct ${attributes}>
      <basis-function:compact-polynomial-c2 support-radius="0.3" />
    </mapping:rbf-pum-direct>`;
}

/** The pair's configuration: meshes MeshA and MeshB, data DataA and DataB, connected by sockets on lo through `exchangeDirectory`. */
export function preciceCouplingConfig(operator: CouplingOperator, windows: number, exchangeDirectory: string): string {
  return `<?xml version="1.0" encoding="UTF-8" ?>
<precice-configuration>
  <log>
    <sink type="stream" output="stdout" filter="%Severity% > info" enabled="true" />
  </log>
  <profiling mode="off" />
  <data:scalar name="DataA" />
  <data:scalar name="DataB" />
  <mesh name="MeshA" dimensions="3">
    <use-data name="DataA" />
    <use-data name="DataB" />
  </mesh>
  <mesh name="MeshB" dimensions="3">
    <use-data name="DataA" />
    <use-data name="DataB" />
  </mesh>
  <participant name="A">
    <provide-mesh name="MeshA" />
    <receive-mesh name="MeshB" from="B" />
    <write-data name="DataA" mesh="MeshA" />
    <read-data name="DataB" mesh="MeshA" />
    ${mapping(operator, "MeshB", "MeshA")}
  </participant>
  <participant name="B">
    <provide-mesh name="MeshB" />
    <receive-mesh name="MeshA" from="A" />
    <write-data name="DataB" mesh="MeshB" />
    <read-data name="DataA" mesh="MeshB" />
    ${mapping(operator, "MeshA", "MeshB")}
  </participant>
  <m2n:sockets acceptor="A" connector="B" network="lo" exchange-directory="${exchangeDirectory}" />
  <coupling-scheme:serial-explicit>
    <participants first="A" second="B" />
    <max-time value="${windows}.0" />
    <time-window-size value="1.0" />
    <exchange data="DataA" mesh="MeshA" from="A" to="B" />
    <exchange data="DataB" mesh="MeshB" from="B" to="A" />
  </coupling-scheme:serial-explicit>
</precice-configuration>
`;
}
