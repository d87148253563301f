// Pieces of the preCICE configuration files the implicit benchmarks write
// (the heat case and the elastic tube): the same head, meshes and
// participants, named for each case.

/** From the XML declaration to the profiling switch: info messages and up on the console, no profiling. */
export const PRECICE_CONFIG_HEAD = `<?xml version="1.0" encoding="UTF-8" ?>
<precice-configuration>
  <log>
    <sink filter="%Severity% > info" format="---[precice] %Severity% %Message%" enabled="true" />
  </log>

  <profiling mode="off" />`;

export function xmlAttribute(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}

/** A 2-D mesh that carries `data`. */
export function meshXml(mesh: string, data: readonly string[]): string {
  const uses = data.map((name) => `    <use-data name="${name}" />`).join("\n");
  return `  <mesh name="${mesh}" dimensions="2">\n${uses}\n  </mesh>`;
}

/** A participant that writes one field on its own mesh and reads the other's, mapped nearest-neighbour from the other's mesh. */
export function participantXml(
  own: { name: string; mesh: string },
  other: { name: string; mesh: string },
  writes: string,
  reads: string,
): string {
  return `  <participant name="${own.name}">
    <provide-mesh name="${own.mesh}" />
    <receive-mesh name="${other.mesh}" from="${other.name}" />
    <write-data name="${writes}" mesh="${own.mesh}" />
    <read-data name="${reads}" mesh="${own.mesh}" />
    <mapping:nearest-neighbor direction="read" from="${other.mesh}" to="${own.mesh}" constraint="consistent" />
  </participant>`;
}
