// The preCICE configuration files the implicit benchmarks write (the heat
// case and the elastic tube): both have one shape, two participants that each
// write a field on their own mesh and read the other's, coupled
// serial-implicitly; each case names the fields and sets the numbers.

/** From the XML declaration to the profiling switch: info messages and up on the console, no profiling. */
const PRECICE_CONFIG_HEAD = `<?xml version="1.0" encoding="UTF-8" ?>
<precice-configuration>
  <log>
    <sink filter="%Severity% > info" format="---[precice] %Severity% %Message%" enabled="true" />
  </log>

  <profiling mode="off" />`;

function xmlAttribute(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}

/** A 2-D mesh that carries `data`. */
function meshXml(mesh: string, data: readonly string[]): string {
  const uses = data.map((name) => `    <use-data name="${name}" />`).join("\n");
  return `  <mesh name="${mesh}" dimensions="2">\n${uses}\n  </mesh>`;
}

/** A participant that writes one field on its own mesh and reads the other's, mapped nearest-neighbour from the other's mesh. */
function participantXml(
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

/** A participant and the mesh it provides. */
export interface PreciceSide {
  name: string;
  mesh: string;
}

/** A field one participant writes on its own mesh and the other reads. */
export interface PreciceExchange {
  data: string;
  from: PreciceSide;
  to: PreciceSide;
  initialize: boolean;
  substeps: boolean;
}

/** Two participants' serial-implicit coupling; numbers are given as the file is to spell them. */
export interface SerialImplicitScheme {
  first: PreciceSide;
  second: PreciceSide;
  maxTime: string;
  window: string;
  maxIterations: number;
  /** What the first participant writes, then what the second writes; each is also a convergence measure, relative, against `limit`. */
  exchanges: readonly [PreciceExchange, PreciceExchange];
  limit: string;
  /** The acceleration's element (accelerationXml). */
  acceleration: string;
}

/**
 * The sockets the participants meet through (files in `exchangeDirectory`,
 * over loopback; the first accepts) and their serial-implicit coupling scheme.
 */
function serialImplicitXml(scheme: SerialImplicitScheme, exchangeDirectory: string): string {
  const { first, second } = scheme;
  const exchanges = scheme.exchanges.map(
    ({ data, from, to, initialize, substeps }) =>
      `    <exchange data="${data}" mesh="${from.mesh}" from="${from.name}" to="${to.name}"${initialize ? ' initialize="true"' : ""}${substeps ? ' substeps="true"' : ""} />`,
  );
  const measures = scheme.exchanges.map(
    ({ data, from }) =>
      `    <relative-convergence-measure data="${data}" mesh="${from.mesh}" limit="${scheme.limit}" />`,
  );
  return `  <m2n:sockets acceptor="${first.name}" connector="${second.name}" network="lo" exchange-directory="${xmlAttribute(exchangeDirectory)}" />

  <coupling-scheme:serial-implicit>
    <participants first="${first.name}" second="${second.name}" />
    <max-time value="${scheme.maxTime}" />
    <time-window-size value="${scheme.window}" />
    <max-iterations value="${scheme.maxIterations}" />
${[...exchanges, ...measures].join("\n")}
${scheme.acceleration}
  </coupling-scheme:serial-implicit>`;
}

/** An acceleration of the coupling scheme; numbers are given as the file is to spell them. */
export type PreciceAcceleration =
  | { method: "constant"; relaxation: string }
  | { method: "aitken"; data: string; mesh: string; initialRelaxation: string }
  | {
      method: "IQN-ILS";
      data: string;
      mesh: string;
      initialRelaxation: string;
      maxUsedIterations: number;
      timeWindowsReused: number;
      filter: string;
      filterLimit: string;
    };

/** The acceleration's element, indented for the coupling scheme. */
export function accelerationXml(acceleration: PreciceAcceleration): string {
  const lines = [`    <acceleration:${acceleration.method}>`];
  if (acceleration.method === "constant") {
    lines.push(`      <relaxation value="${acceleration.relaxation}" />`);
  } else {
    lines.push(`      <data name="${acceleration.data}" mesh="${acceleration.mesh}" />`);
    lines.push(`      <initial-relaxation value="${acceleration.initialRelaxation}" />`);
    if (acceleration.method === "IQN-ILS") {
      lines.push(`      <max-used-iterations value="${acceleration.maxUsedIterations}" />`);
      lines.push(`      <time-windows-reused value="${acceleration.timeWindowsReused}" />`);
      lines.push(`      <filter type="${acceleration.filter}" limit="${acceleration.filterLimit}" />`);
    }
  }
  lines.push(`    </acceleration:${acceleration.method}>`);
  return lines.join("\n");
}

/** A case of two participants: the scalar fields, all of them on both meshes, and how they are coupled. */
export interface TwoParticipantCase {
  scalars: readonly string[];
  /** Said on every scalar when given. */
  waveformDegree?: number;
  /** The fields each mesh carries, in the order it lists them. */
  meshData: readonly string[];
  scheme: SerialImplicitScheme;
}

/**
 * The configuration file's text for a case whose two participants each
 * provide a mesh, write one field on it (their exchange) and read the other's,
 * mapped nearest-neighbour; they meet through files in `exchangeDirectory`.
 */
export function twoParticipantConfigXml(config: TwoParticipantCase, exchangeDirectory: string): string {
  const { first, second, exchanges } = config.scheme;
  const [firstWrites, secondWrites] = exchanges.map((exchange) => exchange.data) as [string, string];
  const degree = config.waveformDegree === undefined ? "" : ` waveform-degree="${config.waveformDegree}"`;
  const scalars = config.scalars.map((name) => `  <data:scalar name="${name}"${degree} />`).join("\n");
  return `${PRECICE_CONFIG_HEAD}

${scalars}

${meshXml(first.mesh, config.meshData)}

${meshXml(second.mesh, config.meshData)}

${participantXml(first, second, firstWrites, secondWrites)}

${participantXml(second, first, secondWrites, firstWrites)}

${serialImplicitXml(config.scheme, exchangeDirectory)}
</precice-configuration>
`;
}
