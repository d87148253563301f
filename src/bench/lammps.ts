// `conflux bench lammps`: what coupling costs LAMMPS. The crack example
// (examples/lammps-crack) runs in rounds, each round three runs in a row:
// LAMMPS alone (no snapshot, no reader), LAMMPS publishing its atoms as a
// snapshot every go with no reader (what the coupling's own work costs), and
// LAMMPS coupled (publishing while the bond analysis runs free on the
// snapshots: what sharing the machine with the analysis costs on top). A sample is
// one go of the MD component as the driver times it (go → done: `every` MD
// steps, plus the publish when coupled); the first go of each run, which sets
// LAMMPS up, is left out. Each of the three is shown by its median round, with
// the spread of the rounds, and a slowdown is a quotient of the rounds'
// medians. Both stacks must be built; the command line finds them.
import { runCoupling } from "../coupling/driver.ts";
import type { ComponentPlan, CouplingPlan } from "../coupling/plan.ts";
import { packagePath } from "../platform/package-root.ts";
import { withPythonClient } from "../platform/python-client-path.ts";
import { type Distribution, scaled, summarize } from "../stats/distribution.ts";
import { spread } from "../stats/spread.ts";
import { alignColumns } from "../stats/table.ts";
import {
  type RepeatedDistribution,
  repeatedDistribution,
  repeatedSpreadJson,
  runInterleavedRounds,
  withSpread,
} from "./interleaved-rounds.ts";
import { type MachineDuring, machineLine } from "./machine-load.ts";

/** in.crack's atoms: the snapshot's point count. */
export const CRACK_ATOMS = 8141;

export interface LammpsBenchOptions {
  /** Root filesystems of the two stacks (examples/lammps-crack/lammps.stack.yaml, conflicting-stacks' numpy2). */
  lammpsRoot: string;
  numpyRoot: string;
  /** Rounds of the three runs, interleaved (at least five). */
  repeat: number;
  /** Goes per run; every go runs `every` MD steps. */
  iterations: number;
  every: number;
  progress?(what: string): void;
}

export interface LammpsBenchResult {
  atoms: number;
  every: number;
  repeat: number;
  /** Milliseconds per go, of the round whose p50 is the median. */
  alone: Distribution;
  /** Snapshots published, nobody reading them. */
  publishing: Distribution;
  coupled: Distribution;
  /** Every round's, with the spread of each statistic. */
  aloneRounds: RepeatedDistribution;
  publishingRounds: RepeatedDistribution;
  coupledRounds: RepeatedDistribution;
  /** coupled / alone − 1, of the rounds' median means and median p50s. */
  slowdown: { mean: number; p50: number };
  /** publishing / alone − 1: the snapshots' own cost. */
  publishingSlowdown: { mean: number; p50: number };
  /** What the bond analysis did in the coupled runs, over all rounds. */
  published: number;
  analysed: number;
  skipped: number;
  machine: MachineDuring;
}

const MD_STEP = "md step";

function component(name: string, script: string, root: string, stack: string, args: Record<string, unknown>) {
  const directory = packagePath("examples/lammps-crack");
  return {
    name,
    kind: "container",
    launch: {
      command: [`${directory}/${script}`],
      cwd: directory,
      args,
      // Its plan is not a composition's: the client `conflux run` would give it is given here.
      env: withPythonClient({ PYTHONDONTWRITEBYTECODE: "1", OMP_NUM_THREADS: "1", HWLOC_COMPONENTS: "-linux" }),
      container: { runtime: "bubblewrap", network: false, stack, rootfs: root },
    },
    meshes: {},
  } satisfies ComponentPlan;
}

type Mode = "alone" | "publishing" | "coupled";

function plan(options: LammpsBenchOptions, mode: Mode): CouplingPlan {
  const coupled = mode === "coupled";
  const md = component("md", "crack_md.py", options.lammpsRoot, "lammps", {
    every: options.every,
    publish: mode !== "alone",
  });
  const components: ComponentPlan[] = [md];
  if (coupled) {
    md.meshes = { atoms: { dimension: 3, count: CRACK_ATOMS, layout: "interleaved", fields: ["id", "type"] } };
    components.push(component("bonds", "bond_analytics.py", options.numpyRoot, "numpy2", { bond_cutoff: 1.5 }));
  }
  return {
    components,
    transfers: [],
    iterations: options.iterations,
    order: ["md"],
    ...(coupled
      ? { snapshots: [{ from: { component: "md", mesh: "atoms" }, to: { component: "bonds", name: "atoms" } }] }
      : {}),
    startupTimeoutMs: 60_000,
    stepTimeoutMs: 20_000,
    wait: { kind: "hybrid", spinNs: 1_000_000 },
  };
}

/** One run's goes (without the first), in nanoseconds, and what the analysis printed last. */
async function measure(options: LammpsBenchOptions, mode: Mode): Promise<{ samples: Float64Array; output: string }> {
  let output = "";
  const result = await runCoupling(plan(options, mode), {
    buildOperator: () => {
      throw new Error("the LAMMPS bench has no transfers");
    },
    output: { write: (text: string) => (output += text) },
  });
  return { samples: Float64Array.from(result.timings.raw(MD_STEP).subarray(1)), output };
}

const MODES: readonly Mode[] = ["alone", "publishing", "coupled"];

const MODE_PROGRESS: Record<Mode, string> = {
  alone: "LAMMPS alone",
  publishing: "LAMMPS publishing snapshots, nobody reading",
  coupled: "LAMMPS coupled with the bond analysis",
};

export async function runLammpsBenchmark(options: LammpsBenchOptions): Promise<LammpsBenchResult> {
  let published = 0;
  let analysed = 0;
  let skipped = 0;
  const { runs, machine } = await runInterleavedRounds(
    MODES,
    options.repeat,
    async (mode) => {
      const run = await measure(options, mode);
      if (mode === "coupled") {
        const done = /^\[bonds\] done: analysed (\d+) snapshots, skipped (\d+)$/m.exec(run.output);
        if (done === null)
          throw new Error(`the bond analysis did not report what it analysed:\n${run.output.slice(-2000)}`);
        analysed += Number(done[1]);
        skipped += Number(done[2]);
        published += options.iterations + 1;
      }
      return scaled(summarize(run.samples), 1e-6);
    },
    (mode, round) =>
      options.progress?.(
        `${round}: ${MODE_PROGRESS[mode]}${mode === "alone" ? `, ${options.iterations} × ${options.every} steps` : ""}`,
      ),
  );
  return lammpsFigures(options, runs, { published, analysed, skipped }, machine);
}

/**
 * The result from every round's distribution of a go, per mode in MODES'
 * order: each mode by its median round, the slowdowns from the rounds' medians.
 */
export function lammpsFigures(
  options: Pick<LammpsBenchOptions, "every" | "repeat">,
  runs: readonly (readonly Distribution[])[],
  analysis: Pick<LammpsBenchResult, "published" | "analysed" | "skipped">,
  machine: MachineDuring,
): LammpsBenchResult {
  const [aloneRounds, publishingRounds, coupledRounds] = runs.map((rounds) => repeatedDistribution(rounds)) as [
    RepeatedDistribution,
    RepeatedDistribution,
    RepeatedDistribution,
  ];
  const slowdown = (of: RepeatedDistribution) => ({
    mean: of.spread.mean.median / aloneRounds.spread.mean.median - 1,
    p50: of.spread.p50.median / aloneRounds.spread.p50.median - 1,
  });
  return {
    atoms: CRACK_ATOMS,
    every: options.every,
    repeat: options.repeat,
    alone: aloneRounds.median,
    publishing: publishingRounds.median,
    coupled: coupledRounds.median,
    aloneRounds,
    publishingRounds,
    coupledRounds,
    slowdown: slowdown(coupledRounds),
    publishingSlowdown: slowdown(publishingRounds),
    ...analysis,
    machine,
  };
}

function distributionMs(d: Distribution) {
  return { n: d.n, mean_ms: d.mean, sd_ms: d.sd, p50_ms: d.p50, p99_ms: d.p99, max_ms: d.max };
}

export function lammpsBenchmarkJson(result: LammpsBenchResult): string {
  const modes = { alone: result.aloneRounds, publishing: result.publishingRounds, coupled: result.coupledRounds };
  return JSON.stringify({
    atoms: result.atoms,
    steps_per_go: result.every,
    // What the rounds were called before they were interleaved repetitions like every bench's.
    rounds: result.repeat,
    repeat: result.repeat,
    alone: distributionMs(result.alone),
    publishing: distributionMs(result.publishing),
    coupled: distributionMs(result.coupled),
    slowdown: result.slowdown,
    publishing_slowdown: result.publishingSlowdown,
    analysis: { published: result.published, analysed: result.analysed, skipped: result.skipped },
    spread: Object.fromEntries(Object.entries(modes).map(([mode, rounds]) => [mode, repeatedSpreadJson(rounds, "ms")])),
    repetitions: result.aloneRounds.rounds.map((_, round) =>
      Object.fromEntries(
        Object.entries(modes).map(([mode, rounds]) => [mode, distributionMs(rounds.rounds[round] as Distribution)]),
      ),
    ),
    machine: result.machine,
  });
}

function milliseconds(value: number): string {
  return value.toFixed(2);
}

function percent(x: number): string {
  return `${x >= 0 ? "+" : ""}${(100 * x).toFixed(2)}%`;
}

/** The range of round k's p50 over round k's alone, − 1: the rounds ran interleaved, so each pair shared the machine's moment. */
function pairedRange(of: RepeatedDistribution, alone: RepeatedDistribution): string {
  const pairs = spread(of.rounds.map((round, index) => round.p50 / (alone.rounds[index] as Distribution).p50 - 1));
  return `${percent(pairs.min)}–${percent(pairs.max)}`;
}

export function lammpsBenchmarkTable(result: LammpsBenchResult): string {
  const rows = [
    [
      "go (ms)",
      "n",
      `p50 of ${result.repeat} rounds: median [min–max]`,
      "p99 of the rounds",
      "mean ± sd (median round)",
      "max",
    ],
    ...(
      [
        ["alone", result.aloneRounds],
        ["publish", result.publishingRounds],
        ["coupled", result.coupledRounds],
      ] as const
    ).map(([label, rounds]) => [
      `  ${label}`,
      String(rounds.median.n),
      withSpread(rounds.spread.p50, milliseconds),
      withSpread(rounds.spread.p99, milliseconds),
      `${milliseconds(rounds.median.mean)} ± ${milliseconds(rounds.median.sd)}`,
      milliseconds(rounds.median.max),
    ]),
  ];
  return [
    `LAMMPS crack (${result.atoms} atoms), one go = ${result.every} steps; alone, publishing, coupled in each of ${result.repeat} rounds, interleaved, each shown by its median round`,
    ...alignColumns(rows),
    `snapshots alone (nobody reading): ${percent(result.publishingSlowdown.mean)} (means), ${percent(result.publishingSlowdown.p50)} (medians; round by round ${pairedRange(result.publishingRounds, result.aloneRounds)})`,
    `slowdown when coupled: ${percent(result.slowdown.mean)} (means), ${percent(result.slowdown.p50)} (medians; round by round ${pairedRange(result.coupledRounds, result.aloneRounds)}); target under 2%; each the quotient of the rounds' medians`,
    `bond analysis: ${result.analysed} of ${result.published} snapshots analysed, ${result.skipped} skipped`,
    machineLine(result.machine),
    "",
  ].join("\n");
}
