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
import { benchConfigHead, meshXml, participantRoleXml, serialExplicitXml } from "../precice-config-xml.ts";

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
  const a = { name: "A", mesh: "MeshA" };
  const b = { name: "B", mesh: "MeshB" };
  const data = ["DataA", "DataB"];
  const exchanges = [
    { data: "DataA", from: a, to: b },
    { data: "DataB", from: b, to: a },
  ];
  return `${benchConfigHead('<profiling mode="off" />')}
  <data:scalar name="DataA" />
  <data:scalar name="DataB" />
${meshXml(a.mesh, data, 3)}
${meshXml(b.mesh, data, 3)}
${participantRoleXml({ ...a, receives: b, writes: "DataA", reads: "DataB", mapping: mapping(operator, b.mesh, a.mesh) })}
${participantRoleXml({ ...b, receives: a, writes: "DataB", reads: "DataA", mapping: mapping(operator, a.mesh, b.mesh) })}
${serialExplicitXml(a, b, `${windows}.0`, exchanges, exchangeDirectory)}
</precice-configuration>
`;
}
