// `conflux bench lammps`: what coupling costs LAMMPS. The crack example
// (examples/lammps-crack) runs in rounds, each round three times in a row:
// LAMMPS alone (no snapshot, no reader), LAMMPS publishing its atoms as a
// snapshot every go with no reader (what the coupling's own work costs), and
// LAMMPS coupled (publishing while the bond analysis runs free on the
// snapshots: what sharing the machine with the analysis costs on top). A sample is
// one go of the MD component as the driver times it (go → done: `every` MD
// steps, plus the publish when coupled); the first go of each run, which sets
// LAMMPS up, is left out. The slowdown compares the two distributions of one
// bench run. Both stacks must be built; the command line finds them.
import { runCoupling } from "../coupling/driver.ts";
import type { ComponentPlan, CouplingPlan } from "../coupling/plan.ts";
import { packagePath } from "../platform/package-root.ts";
import { withPythonClient } from "../platform/python-client-path.ts";
import { type Distribution, scaled, summarize } from "../stats/distribution.ts";

/** in.crack's atoms: the snapshot's point count. */
export const CRACK_ATOMS = 8141;

export interface LammpsBenchOptions {
  /** Root filesystems of the two stacks (examples/lammps-crack/lammps.stack.yaml, conflicting-stacks' numpy2). */
  lammpsRoot: string;
  numpyRoot: string;
  rounds: number;
  /** Goes per run; every go runs `every` MD steps. */
  iterations: number;
  every: number;
  progress?(what: string): void;
}

export interface LammpsBenchResult {
  atoms: number;
  every: number;
  rounds: number;
  /** Milliseconds per go. */
  alone: Distribution;
  /** Snapshots published, nobody reading them. */
  publishing: Distribution;
  coupled: Distribution;
  /** coupled / alone − 1, of the means and of the medians. */
  slowdown: { mean: number; p50: number };
  /** publishing / alone − 1: the snapshots' own cost. */
  publishingSlowdown: { mean: number; p50: number };
  /** What the bond analysis did in the coupled runs. */
  published: number;
  analysed: number;
  skipped: number;
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

export async function runLammpsBenchmark(options: LammpsBenchOptions): Promise<LammpsBenchResult> {
  const alone: Float64Array[] = [];
  const publishing: Float64Array[] = [];
  const coupled: Float64Array[] = [];
  let published = 0;
  let analysed = 0;
  let skipped = 0;
  for (let round = 1; round <= options.rounds; round++) {
    options.progress?.(
      `round ${round} of ${options.rounds}: LAMMPS alone, ${options.iterations} × ${options.every} steps`,
    );
    alone.push((await measure(options, "alone")).samples);
    options.progress?.(`round ${round} of ${options.rounds}: LAMMPS publishing snapshots, nobody reading`);
    publishing.push((await measure(options, "publishing")).samples);
    options.progress?.(`round ${round} of ${options.rounds}: LAMMPS coupled with the bond analysis`);
    const run = await measure(options, "coupled");
    coupled.push(run.samples);
    const done = /^\[bonds\] done: analysed (\d+) snapshots, skipped (\d+)$/m.exec(run.output);
    if (done === null)
      throw new Error(`the bond analysis did not report what it analysed:\n${run.output.slice(-2000)}`);
    analysed += Number(done[1]);
    skipped += Number(done[2]);
    published += options.iterations + 1;
  }
  const joined = (parts: Float64Array[]) => {
    const all = new Float64Array(parts.reduce((sum, part) => sum + part.length, 0));
    let at = 0;
    for (const part of parts) {
      all.set(part, at);
      at += part.length;
    }
    return scaled(summarize(all), 1e-6);
  };
  const aloneMs = joined(alone);
  const coupledMs = joined(coupled);
  const publishingMs = joined(publishing);
  const slowdown = (d: Distribution) => ({ mean: d.mean / aloneMs.mean - 1, p50: d.p50 / aloneMs.p50 - 1 });
  return {
    atoms: CRACK_ATOMS,
    every: options.every,
    rounds: options.rounds,
    alone: aloneMs,
    publishing: publishingMs,
    coupled: coupledMs,
    slowdown: slowdown(coupledMs),
    publishingSlowdown: slowdown(publishingMs),
    published,
    analysed,
    skipped,
  };
}

export function lammpsBenchmarkJson(result: LammpsBenchResult): string {
  const row = (d: Distribution) => ({
    n: d.n,
    mean_ms: d.mean,
    sd_ms: d.sd,
    p50_ms: d.p50,
    p99_ms: d.p99,
    max_ms: d.max,
  });
  return JSON.stringify({
    atoms: result.atoms,
    steps_per_go: result.every,
    rounds: result.rounds,
    alone: row(result.alone),
    publishing: row(result.publishing),
    coupled: row(result.coupled),
    slowdown: result.slowdown,
    publishing_slowdown: result.publishingSlowdown,
    analysis: { published: result.published, analysed: result.analysed, skipped: result.skipped },
  });
}

export function lammpsBenchmarkTable(result: LammpsBenchResult): string {
  const line = (label: string, d: Distribution) =>
    `  ${label.padEnd(8)} ${String(d.n).padStart(4)}  ${d.mean.toFixed(2)} ± ${d.sd.toFixed(2)}  ${d.p50.toFixed(2)}  ${d.p99.toFixed(2)}  ${d.max.toFixed(2)}\n`;
  const percent = (x: number) => `${x >= 0 ? "+" : ""}${(100 * x).toFixed(2)}%`;
  return (
    `LAMMPS crack (${result.atoms} atoms), one go = ${result.every} steps, ${result.rounds} round(s) of alone, publishing, coupled\n` +
    "go (ms)    n     mean ± sd     p50    p99    max\n" +
    line("alone", result.alone) +
    line("publish", result.publishing) +
    line("coupled", result.coupled) +
    `snapshots alone (nobody reading): ${percent(result.publishingSlowdown.mean)} (means), ${percent(result.publishingSlowdown.p50)} (medians)\n` +
    `slowdown when coupled: ${percent(result.slowdown.mean)} (means), ${percent(result.slowdown.p50)} (medians); target under 2%\n` +
    `bond analysis: ${result.analysed} of ${result.published} snapshots analysed, ${result.skipped} skipped\n`
  );
}
