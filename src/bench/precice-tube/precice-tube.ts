// The 1-D elastic tube through preCICE, built and run at bench time: the
// example's participants on preCICE's C bindings
// (examples/elastic-tube-1d/precice/, the same numerics file tube.c as the
// Conflux fluid) linked with the installed preCICE, then run as a pair for each
// acceleration with a configuration like the tutorial's (config.ts). When
// preCICE, a C compiler or preCICE's runtime libraries are missing, the
// measurement is skipped with the reason.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  buildPreciceProgram,
  findPrecice,
  iterationsFromLog,
  NO_PRECICE,
  type PreciceInstallation,
  runPreciceCase,
} from "../precice-heat/precice-heat.ts";
import { preciceTubeConfig, TUBE_ACCELERATIONS, type TubeAcceleration } from "./config.ts";

const EXAMPLE = fileURLToPath(new URL("../../../examples/elastic-tube-1d/", import.meta.url));

/** The tutorial's 100 cells. */
const CELLS = 100;

export interface PreciceTubeRun {
  acceleration: TubeAcceleration;
  /** Coupling iterations of every window, from preCICE's iterations log. */
  iterations: number[];
  total: number;
  /** Windows that reached the maximum without converging (preCICE goes on past them). */
  notConverged: number;
  /** The time of the first step whose Newton solve failed, after which the fluid writes NaN, if one did. */
  nonFiniteFrom?: number;
  /** From the end of initialize to finalize, the wall's clock. */
  couplingSeconds: number;
  msPerIteration: number;
  msPerWindow: number;
  /** Lines preCICE printed as warnings. */
  warnings: number;
  firstWarning?: string;
}

export interface PreciceTubeResult {
  installation?: PreciceInstallation;
  runs: PreciceTubeRun[];
  /** Why there are no runs. */
  skipped?: string;
}

interface Built {
  fluid: string;
  solid: string;
}

function build(installation: PreciceInstallation, directory: string): Built | string {
  const built: Partial<Built> = {};
  for (const side of ["fluid", "solid"] as const) {
    const binary = join(directory, `${side}_precice`);
    const sources = [join(EXAMPLE, "precice", `${side}_precice.c`), join(EXAMPLE, "tube.c")];
    const failure = buildPreciceProgram(installation, binary, sources, [EXAMPLE]);
    if (failure !== undefined) return failure;
    built[side] = binary;
  }
  return built as Built;
}

const NEWTON_FAILED = /^Fluid: t = (\S+): .*writing NaN for the pressure$/m;

async function runPair(
  built: Built,
  acceleration: TubeAcceleration,
  directory: string,
  timeoutMs: number,
): Promise<PreciceTubeRun> {
  const runDirectory = join(directory, acceleration);
  mkdirSync(runDirectory);
  const config = join(runDirectory, "precice-config.xml");
  writeFileSync(config, preciceTubeConfig(acceleration, runDirectory));
  const args = [config, String(CELLS)];
  const [fluid, solid] = await runPreciceCase(
    `preCICE tube (${acceleration})`,
    [
      { name: "Fluid", command: built.fluid },
      { name: "Solid", command: built.solid },
    ],
    args,
    runDirectory,
    timeoutMs,
  );
  const log = iterationsFromLog(readFileSync(join(runDirectory, "precice-Solid-iterations.log"), "utf8"));
  const seconds = Number(/coupled \d+ windows in (\S+) s/.exec(solid.output)?.[1] ?? Number.NaN);
  const output = `${fluid.output}\n${solid.output}`;
  const warnings = output.split("\n").filter((line) => /WARNING/.test(line));
  const failed = NEWTON_FAILED.exec(fluid.output);
  const total = log.iterations.reduce((sum, count) => sum + count, 0);
  return {
    acceleration,
    iterations: log.iterations,
    total,
    notConverged: log.converged.filter((converged) => !converged).length,
    ...(failed === null ? {} : { nonFiniteFrom: Number(failed[1]) }),
    couplingSeconds: seconds,
    msPerIteration: (1000 * seconds) / total,
    msPerWindow: (1000 * seconds) / log.iterations.length,
    warnings: warnings.length,
    ...(warnings[0] === undefined ? {} : { firstWarning: warnings[0].replace(/^---\[precice\]\s*/, "") }),
  };
}

export interface PreciceTubeOptions {
  accelerations?: readonly TubeAcceleration[];
  /** Per run (default 300 s). */
  timeoutMs?: number;
}

/** Builds the participants and runs the tube through preCICE once per acceleration, one after the other. */
export async function measurePreciceTube(options: PreciceTubeOptions = {}): Promise<PreciceTubeResult> {
  const installation = findPrecice();
  if (installation === undefined) return { runs: [], skipped: NO_PRECICE };
  const directory = mkdtempSync(join(tmpdir(), "conflux-precice-tube-"));
  try {
    const built = build(installation, directory);
    if (typeof built === "string") return { installation, runs: [], skipped: built };
    const runs: PreciceTubeRun[] = [];
    for (const acceleration of options.accelerations ?? TUBE_ACCELERATIONS) {
      runs.push(await runPair(built, acceleration, directory, options.timeoutMs ?? 300_000));
    }
    return { installation, runs };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
