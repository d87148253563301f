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

/** A mesh of `dimensions` that carries `data`. */
export function meshXml(mesh: string, data: readonly string[], dimensions = 2): string {
  const uses = data.map((name) => `    <use-data name="${name}" />`).join("\n");
  return `  <mesh name="${mesh}" dimensions="${dimensions}">\n${uses}\n  </mesh>`;
}

/** What one participant does: the mesh it provides, the one it receives and from whom, what it writes and reads on its own mesh, and its mapping's element. */
export interface ParticipantRole {
  name: string;
  mesh: string;
  receives?: PreciceSide;
  writes?: string;
  reads?: string;
  mapping?: string;
}

/** A participant's element, with the lines its role has. */
export function participantRoleXml(role: ParticipantRole): string {
  const lines = [`  <participant name="${role.name}">`, `    <provide-mesh name="${role.mesh}" />`];
  if (role.receives) lines.push(`    <receive-mesh name="${role.receives.mesh}" from="${role.receives.name}" />`);
  if (role.writes) lines.push(`    <write-data name="${role.writes}" mesh="${role.mesh}" />`);
  if (role.reads) lines.push(`    <read-data name="${role.reads}" mesh="${role.mesh}" />`);
  if (role.mapping) lines.push(`    ${role.mapping}`);
  lines.push("  </participant>");
  return lines.join("\n");
}

/** A participant that writes one field on its own mesh and reads the other's, mapped nearest-neighbour from the other's mesh. */
function participantXml(own: PreciceSide, other: PreciceSide, writes: string, reads: string): string {
  const mapping = `<mapping:nearest-neighbor direction="read" from="${other.mesh}" to="${own.mesh}" constraint="consistent" />`;
  return participantRoleXml({ ...own, receives: other, writes, reads, mapping });
}

/** A field one participant sends the other in a serial-explicit scheme. */
export interface ExplicitExchange {
  data: string;
  from: PreciceSide;
  to: PreciceSide;
}

/**
 * The sockets the participants meet through (files in `exchangeDirectory`,
 * over loopback; the first accepts) and their serial-explicit scheme of
 * windows 1.0 long up to `maxTime`.
 */
export function serialExplicitXml(
  first: PreciceSide,
  second: PreciceSide,
  maxTime: string,
  exchanges: readonly ExplicitExchange[],
  exchangeDirectory: string,
): string {
  const lines = exchanges.map(
    ({ data, from, to }) => `    <exchange data="${data}" mesh="${from.mesh}" from="${from.name}" to="${to.name}" />`,
  );
  return `  <m2n:sockets acceptor="${first.name}" connector="${second.name}" network="lo" exchange-directory="${xmlAttribute(exchangeDirectory)}" />
  <coupling-scheme:serial-explicit>
    <participants first="${first.name}" second="${second.name}" />
    <max-time value="${maxTime}" />
    <time-window-size value="1.0" />
${lines.join("\n")}
  </coupling-scheme:serial-explicit>`;
}

/** From the XML declaration to the profiling element of a bench's pair: info and up on stdout, then `profiling`. */
export function benchConfigHead(profiling: string): string {
  return `<?xml version="1.0" encoding="UTF-8" ?>
<precice-configuration>
  <log>
    <sink type="stream" output="stdout" filter="%Severity% > info" enabled="true" />
  </log>
  ${profiling}`;
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
