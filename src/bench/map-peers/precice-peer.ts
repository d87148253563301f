// bench/map-peers/ owns the peers `bench map` measures beside ours: preCICE (precice_map.c) and scipy (scipy_peer.py).
// It must not choose points or time our operators: map.ts hands each peer the very points it maps and interleaves them.

// The preCICE peer of `bench map`: precice_map.c built at bench time against
// the installed preCICE (found as the heat benchmark finds it), run as a pair
// of participants per measurement on the points we map, with preCICE's own
// profiling on. A measurement is one pair: the mapping's setup is the
// duration of its map.*.computeMapping event, and its apply the median of its
// map.*.mapData events (one per window).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "../../stats/spread.ts";
import { benchConfigHead, meshXml, participantRoleXml, serialExplicitXml } from "../precice-config-xml.ts";
import { throwIfPairFailed } from "../precice-heat/pair-failure.ts";
import { buildPreciceProgram, runPreciceParticipants } from "../precice-heat/precice-heat.ts";
import { findPrecice, type PreciceInstallation } from "../precice-heat/precice-installation.ts";

const SOURCE = fileURLToPath(new URL("./precice_map.c", import.meta.url));
/** Windows per pair: each one applies the mapping once. */
const WINDOWS = 6;

/** A mapping as preCICE's configuration names it. */
export type PreciceMapping =
  | { kind: "nearest" }
  | { kind: "rbf-pu"; supportRadius: number }
  | { kind: "rbf-global"; basis: "compact-polynomial-c2"; supportRadius: number }
  | { kind: "rbf-global"; basis: "thin-plate-splines" }
  | { kind: "rbf-global"; basis: "gaussian"; shapeParameter: number };

export interface PreciceMeasurement {
  setup_s: number;
  /** Median over the windows. */
  apply_s: number;
  /** Max |mapped − 1 − x − 2y − 3z| at the target points, from participant B. */
  error: number;
}

function basisXml(mapping: PreciceMapping): string {
  if (mapping.kind === "nearest") return "";
  if (mapping.kind === "rbf-pu") {
    return `<basis-function:compact-polynomial-c2 support-radius="${mapping.supportRadius}" />`;
  }
  switch (mapping.basis) {
    case "compact-polynomial-c2":
      return `<basis-function:compact-polynomial-c2 support-radius="${mapping.supportRadius}" />`;
    case "thin-plate-splines":
      return "<basis-function:thin-plate-splines />";
    case "gaussian":
      return `<basis-function:gaussian shape-parameter="${mapping.shapeParameter}" />`;
  }
}

/** preCICE's name of the mapping: its configuration's tag. */
export function preciceMappingTag(mapping: PreciceMapping): string {
  return mapping.kind === "nearest"
    ? "nearest-neighbor"
    : mapping.kind === "rbf-pu"
      ? "rbf-pum-direct"
      : "rbf-global-direct";
}

/** The two participants' configuration: A's mesh read by B through `mapping`, serial explicit, WINDOWS windows. */
export function preciceMapConfig(mapping: PreciceMapping, directory: string): string {
  const tag = preciceMappingTag(mapping);
  // Cluster centres stay on preCICE's grid rather than moving to input vertices, as ours do: with
  // them moved, preCICE leaves boundary vertices of these meshes outside every cluster from 3·10^4
  // points on ("could not be assigned to any cluster"), and says to turn project-to-input off.
  const attributes = `direction="read" from="MeshA" to="MeshB" constraint="consistent"${mapping.kind === "rbf-pu" ? ` project-to-input="false"` : ""}`;
  const mappingXml =
    mapping.kind === "nearest"
      ? `<mapping:${tag} ${attributes} />`
      : `<mapping:${tag} ${attributes}>\n      ${basisXml(mapping)}\n    </mapping:${tag}>`;
  const a = { name: "A", mesh: "MeshA" };
  const b = { name: "B", mesh: "MeshB" };
  return `${benchConfigHead(`<profiling mode="all" directory="${directory}" />`)}
  <data:scalar name="DataA" />
${meshXml(a.mesh, ["DataA"], 3)}
${meshXml(b.mesh, ["DataA"], 3)}
${participantRoleXml({ ...a, writes: "DataA" })}
${participantRoleXml({ ...b, receives: a, reads: "DataA", mapping: mappingXml })}
${serialExplicitXml(a, b, `${WINDOWS}`, [{ data: "DataA", from: a, to: b }], directory)}
</precice-configuration>
`;
}

/** Durations (µs) of every event whose name matches, from a preCICE profiling file (lines N id:name, B id:µs, E id:µs). */
export function eventDurations(text: string, name: RegExp): number[] {
  const names = new Map<string, string>();
  const open = new Map<string, number>();
  const durations: number[] = [];
  for (const line of text.split("\n")) {
    const match = /^([NBE])(\d+):(.*)$/.exec(line);
    if (match === null) continue;
    const [, kind, id = "", rest = ""] = match;
    if (kind === "N") names.set(id, rest);
    else if (kind === "B") open.set(id, Number(rest.split(":")[0]));
    else {
      const begin = open.get(id);
      open.delete(id);
      if (begin !== undefined && name.test(names.get(id) ?? "")) durations.push(Number(rest.split(":")[0]) - begin);
    }
  }
  return durations;
}

export class PrecicePeer {
  private runs = 0;

  private constructor(
    readonly installation: PreciceInstallation,
    private readonly binary: string,
    private readonly directory: string,
  ) {}

  /** Builds the participant in `directory` (a scratch directory the caller removes); a string says why not. */
  static build(directory: string): PrecicePeer | string {
    const installation = findPrecice();
    if (installation === undefined) {
      return "preCICE is not installed: set PRECICE_ROOT to its install prefix, or install it where pkg-config finds libprecice";
    }
    const binary = join(directory, "precice_map");
    const failure = buildPreciceProgram(installation, binary, [SOURCE], []);
    return failure ?? new PrecicePeer(installation, binary, directory);
  }

  /** One pair on the point files (`count` points each), mapping A's field onto B's points. */
  async measure(mapping: PreciceMapping, source: string, target: string, count: number): Promise<PreciceMeasurement> {
    const run = join(this.directory, `run-${this.runs++}`);
    mkdirSync(run);
    try {
      const config = join(run, "precice-config.xml");
      writeFileSync(config, preciceMapConfig(mapping, run));
      // Generous: 10^6-point pairs spend most of their time sending the mesh.
      const timeout = 120_000 + count * 0.5;
      const [a, b] = await runPreciceParticipants(
        [
          { command: this.binary, args: [config, "A", source, String(count)] },
          { command: this.binary, args: [config, "B", target, String(count)] },
        ],
        run,
        timeout,
      );
      throwIfPairFailed(
        [
          ["A", a],
          ["B", b],
        ],
        6,
      );
      const profile = readFileSync(join(run, "precice-profiling", "B-0-1.txt"), "utf8");
      const setups = eventDurations(profile, /^map\.[^.]+\.computeMapping\.FromMeshAToMeshB$/);
      const applies = eventDurations(profile, /^map\.[^.]+\.mapData\.FromMeshAToMeshB$/);
      if (setups.length === 0 || applies.length === 0) {
        throw new Error("preCICE's profile of participant B has no computeMapping or mapData event");
      }
      const error = Number(/max error (\S+)/.exec(b?.output ?? "")?.[1] ?? Number.NaN);
      return { setup_s: (setups[0] as number) / 1e6, apply_s: median(applies) / 1e6, error };
    } finally {
      rmSync(run, { recursive: true, force: true });
    }
  }
}
