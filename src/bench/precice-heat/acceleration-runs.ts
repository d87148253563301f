// bench/precice-heat/ owns the partitioned heat case through preCICE (configuration, C participant) and the runs both cases share.
// It must not measure Conflux: implicit/ runs ours beside it, and where preCICE is missing it skips with NO_PRECICE.

// What the preCICE cases (heat, tube) share around their runs: the
// participants are built once into a scratch directory, each acceleration then
// runs in a directory of its own there, and every run reports its coupling
// time and preCICE's warnings the same way.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findPrecice, NO_PRECICE, type PreciceInstallation } from "./precice-installation.ts";

export interface PreciceAccelerationRuns<Run> {
  installation?: PreciceInstallation;
  runs: Run[];
  /** Why there are no runs. */
  skipped?: string;
}

/** What a caller of a case's measurement may choose. */
export interface PreciceCaseOptions<Acceleration extends string> {
  /** The case's every acceleration when absent. */
  accelerations?: readonly Acceleration[];
  /** Per run (default 300 s). */
  timeoutMs?: number;
}

const RUN_TIMEOUT_MS = 300_000;

/**
 * Builds a case's participants (`build` returns why not as a string) and runs
 * the case once per acceleration asked for (`every` when none are), one after
 * the other, each in its own directory; the scratch directory is removed
 * however it ends.
 */
export async function runEachAcceleration<Built, Acceleration extends string, Run>(
  scratchPrefix: string,
  build: (installation: PreciceInstallation, directory: string) => Built | string,
  options: PreciceCaseOptions<Acceleration>,
  every: readonly Acceleration[],
  runOne: (built: Built, acceleration: Acceleration, runDirectory: string, timeoutMs: number) => Promise<Run>,
): Promise<PreciceAccelerationRuns<Run>> {
  const accelerations = options.accelerations ?? every;
  const timeoutMs = options.timeoutMs ?? RUN_TIMEOUT_MS;
  const installation = findPrecice();
  if (installation === undefined) return { runs: [], skipped: NO_PRECICE };
  const directory = mkdtempSync(join(tmpdir(), scratchPrefix));
  try {
    const built = build(installation, directory);
    if (typeof built === "string") return { installation, runs: [], skipped: built };
    const runs: Run[] = [];
    for (const acceleration of accelerations) {
      const runDirectory = join(directory, acceleration);
      mkdirSync(runDirectory);
      runs.push(await runOne(built, acceleration, runDirectory, timeoutMs));
    }
    return { installation, runs };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** A run's coupling time per iteration and per window, and the warnings preCICE printed. */
export interface PreciceRunTiming {
  total: number;
  couplingSeconds: number;
  msPerIteration: number;
  msPerWindow: number;
  warnings: number;
  firstWarning?: string;
}

/**
 * The timing of a run whose windows took `iterations`: the coupling time is
 * what the participant that prints "coupled N windows in S s" (`timerOutput`)
 * measured; warnings are counted in all participants' `output`.
 */
export function preciceRunTiming(iterations: readonly number[], timerOutput: string, output: string): PreciceRunTiming {
  const seconds = Number(/coupled \d+ windows in (\S+) s/.exec(timerOutput)?.[1] ?? Number.NaN);
  const warnings = output.split("\n").filter((line) => /WARNING/.test(line));
  const total = iterations.reduce((sum, count) => sum + count, 0);
  return {
    total,
    couplingSeconds: seconds,
    msPerIteration: (1000 * seconds) / total,
    msPerWindow: (1000 * seconds) / iterations.length,
    warnings: warnings.length,
    ...(warnings[0] === undefined ? {} : { firstWarning: warnings[0].replace(/^---\[precice\]\s*/, "") }),
  };
}
