// `conflux bench coupling`'s repetitions: every column compared is run in the
// same invocation, interleaved (ours, ours with the finite check off, the C
// floor, preCICE; then again), so that drift on the machine falls on every
// column alike; the report takes each figure as the median of the
// repetitions with their spread, and ratios only between those.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Distribution, scaled } from "../stats/distribution.ts";
import { type CouplingFloorProgram, couplingFloorProgram } from "./c-floor-runner.ts";
import { type CouplingOperator, type CouplingRun, measureCouplingRun, warmupWindows } from "./coupling.ts";
import { type PreciceCouplingMeasurement, PreciceCouplingPeer } from "./coupling-peers/precice-coupling-peer.ts";
import { type MachineDuring, MachineLoad } from "./machine-load.ts";

export type CouplingPeerName = "precice";

export interface CouplingBenchOptions {
  operators: readonly CouplingOperator[];
  points: number;
  windows: number;
  repeats: number;
  peers: readonly CouplingPeerName[];
}

/** A column measured once per repetition, or why it was not (`skipped`: never ran; `failed`: a run failed, the rest not run). */
export interface Column<T> {
  runs: T[];
  skipped?: string;
  failed?: string;
  /** Why a run was repeated, once per repeat. */
  retried?: string[];
}

export interface CouplingOperatorRuns {
  operator: CouplingOperator;
  /** With the check for non-finite values on (the default). */
  ours: CouplingRun[];
  /** The same windows with coupling.check_finite false. */
  withoutCheck: Distribution[];
  /** preCICE's two-participant benchmark on the same scenario; absent unless asked for. */
  precice?: Column<PreciceCouplingMeasurement>;
}

export interface CouplingBenchResult {
  points: number;
  windows: number;
  repeats: number;
  rows: CouplingOperatorRuns[];
  /** The nearest window's data movement in C, µs per window; absent when nearest is not measured. */
  floor?: Column<Distribution>;
  /** The peer as found: its version, and whether its benchmark was the installation's or built here. */
  precice?: { version?: string; program?: "installed" | "built"; skipped?: string };
  machine: MachineDuring;
}

export async function runCouplingRepetitions(
  options: CouplingBenchOptions,
  progress: (line: string) => void = () => {},
): Promise<CouplingBenchResult> {
  const { operators, points, windows, repeats } = options;
  const machine = new MachineLoad();
  const scratch = mkdtempSync(join(tmpdir(), "conflux-bench-coupling-"));
  let floorProgram: CouplingFloorProgram | string | undefined;
  try {
    floorProgram = operators.includes("nearest") ? couplingFloorProgram() : undefined;
    const floor: Column<Distribution> | undefined =
      floorProgram === undefined
        ? undefined
        : typeof floorProgram === "string"
          ? { runs: [], skipped: floorProgram }
          : { runs: [] };
    const peer = options.peers.includes("precice") ? PreciceCouplingPeer.prepare(scratch) : undefined;
    const precice =
      peer === undefined
        ? undefined
        : typeof peer === "string"
          ? { skipped: peer }
          : { version: peer.installation.version, program: peer.program };
    const rows: CouplingOperatorRuns[] = operators.map((operator) => ({
      operator,
      ours: [],
      withoutCheck: [],
      ...(peer === undefined ? {} : { precice: typeof peer === "string" ? { runs: [], skipped: peer } : { runs: [] } }),
    }));
    for (let repetition = 1; repetition <= repeats; repetition++) {
      for (const row of rows) {
        const { operator } = row;
        const of = `${operator}, repetition ${repetition} of ${repeats}`;
        progress(`${of}: conflux, ${windows} windows of ${points} points`);
        row.ours.push(await measureCouplingRun(operator, points, windows, true));
        machine.sample();
        progress(`${of}: conflux with the finite check off`);
        row.withoutCheck.push((await measureCouplingRun(operator, points, windows, false)).distribution);
        machine.sample();
        if (operator === "nearest" && floor !== undefined && typeof floorProgram === "object") {
          if (floor.skipped === undefined) {
            progress(`${of}: the C floor`);
            const measured = floorProgram.measure(points, windows, warmupWindows(windows));
            if (measured.distribution === undefined) floor.skipped = measured.skipped;
            else floor.runs.push(scaled(measured.distribution, 1e-3));
            machine.sample();
          }
        }
        const column = row.precice;
        if (
          column !== undefined &&
          typeof peer === "object" &&
          column.skipped === undefined &&
          column.failed === undefined
        ) {
          progress(`${of}: preCICE ${peer.installation.version}'s two-participant benchmark`);
          // A pair that fails once is run again (MPI's start fails now and then on a loaded machine), and the
          // reason kept; one that fails twice in a row ends the column.
          for (let attempt = 1; attempt <= 2; attempt++) {
            try {
              column.runs.push(await peer.measure(operator, points, windows, warmupWindows(windows)));
              break;
            } catch (error) {
              const reason = error instanceof Error ? error.message : String(error);
              if (attempt === 2) column.failed = reason;
              else column.retried = [...(column.retried ?? []), reason];
            }
          }
          machine.sample();
        }
      }
    }
    return {
      points,
      windows,
      repeats,
      rows,
      ...(floor === undefined ? {} : { floor }),
      ...(precice === undefined ? {} : { precice }),
      machine: machine.during(),
    };
  } finally {
    if (typeof floorProgram === "object") floorProgram.remove();
    rmSync(scratch, { recursive: true, force: true });
  }
}
