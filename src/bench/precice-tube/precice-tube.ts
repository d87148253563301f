// The 1-D elastic tube through preCICE, built and run at bench time: the
// example's participants on preCICE's C bindings
// (examples/elastic-tube-1d/precice/, the same numerics file tube.c as the
// Conflux fluid) linked with the installed preCICE, then run as a pair for each
// acceleration with a configuration like the tutorial's (config.ts). When
// preCICE, a C compiler or preCICE's runtime libraries are missing, the
// measurement is skipped with the reason.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type PreciceAccelerationRuns,
  type PreciceCaseOptions,
  preciceRunTiming,
  runEachAcceleration,
} from "../precice-heat/acceleration-runs.ts";
import { buildPreciceSides, runPreciceCase } from "../precice-heat/precice-heat.ts";
import type { PreciceInstallation } from "../precice-heat/precice-installation.ts";
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

export type PreciceTubeResult = PreciceAccelerationRuns<PreciceTubeRun>;

type Built = Record<"fluid" | "solid", string>;

/** Compiles both tube participants into `directory`; a string says why not. */
function build(installation: PreciceInstallation, directory: string): Built | string {
  return buildPreciceSides(installation, ["fluid", "solid"] as const, (side) => ({
    binary: join(directory, `${side}_precice`),
    sources: [join(EXAMPLE, "precice", `${side}_precice.c`), join(EXAMPLE, "tube.c")],
    includes: [EXAMPLE],
  }));
}

const NEWTON_FAILED = /^Fluid: t = (\S+): .*writing NaN for the pressure$/m;

async function runPair(
  built: Built,
  acceleration: TubeAcceleration,
  runDirectory: string,
  timeoutMs: number,
): Promise<PreciceTubeRun> {
  const {
    first: fluid,
    second: solid,
    log,
  } = await runPreciceCase(
    `preCICE tube (${acceleration})`,
    preciceTubeConfig(acceleration, runDirectory),
    [
      { name: "Fluid", command: built.fluid },
      { name: "Solid", command: built.solid },
    ],
    [String(CELLS)],
    runDirectory,
    timeoutMs,
  );
  const failed = NEWTON_FAILED.exec(fluid.output);
  return {
    acceleration,
    iterations: log.iterations,
    ...preciceRunTiming(log.iterations, solid.output, `${fluid.output}\n${solid.output}`),
    notConverged: log.converged.filter((converged) => !converged).length,
    ...(failed === null ? {} : { nonFiniteFrom: Number(failed[1]) }),
  };
}

export type PreciceTubeOptions = PreciceCaseOptions<TubeAcceleration>;

/** Builds the participants and runs the tube through preCICE once per acceleration, one after the other. */
export async function measurePreciceTube(options: PreciceTubeOptions = {}): Promise<PreciceTubeResult> {
  return runEachAcceleration("conflux-precice-tube-", build, options, TUBE_ACCELERATIONS, runPair);
}
