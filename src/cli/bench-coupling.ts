import type { Command } from "commander";
import type { CouplingOperator } from "../bench/coupling.ts";
import type { CouplingPeerName } from "../bench/coupling-repetitions.ts";
import { UsageError } from "./exit-codes.ts";
import { withBenchProgress } from "./task-progress.ts";
import { wholeNumberOption } from "./whole-number-option.ts";

export function registerBenchCoupling(bench: Command): void {
  bench
    .command("coupling")
    .description(
      "the peer's scenario: two processes that only write and read a field; per-window time, setup, error of the returned linear field",
    )
    .option("--operator <list>", "nearest, rbf-pu, or both comma-separated", "nearest,rbf-pu")
    .option("--points <n>", "points per mesh", "3000")
    .option("--windows <n>", "coupling windows", "500")
    .option(
      "--nodes <n>",
      "2: nearest with B on a second simulated node beside the same on one, and a TCP ping-pong of the bytes a window moves (root, Slurm, munge)",
      "1",
    )
    .option("--repeat <n>", "runs of each column, interleaved (A B C A B C …); each figure is their median", "5")
    .option(
      "--peer <name>",
      "precice: preCICE's two-participant benchmark on the same scenario, interleaved with ours (skipped, saying why, where preCICE is not installed; PRECICE_ROOT names its prefix)",
    )
    .option(
      "--wait <strategy>",
      "with --nodes 2: block, or hybrid (a 1 ms spin first); the simulated nodes share this machine's cores",
      "block",
    )
    .option(
      "--json",
      "print { points, windows, warmup_windows, repetitions, rows: [ { operator, points, n, setup_ms, mean_us, sd_us, p50_us, p99_us, max_us, max_error, finite_check: { per_window_us, share_of_p50, p50_without_check_us, p99_without_check_us }, spread: { p50_us, p99_us, mean_us, setup_ms: { median, min, max, n } }, tail: { above_p99, windows, causes, longest_phase }, precice?: { n, p50_us, p99_us, initialize_ms, max_error, spread } | { skipped } | { failed }, ratios: { p50_over_floor_p50, p99_over_floor_p99, p50_over_precice_p50, p99_over_precice_p99, setup_over_precice_initialize } } ], floor: { n, mean_us, sd_us, p50_us, p99_us, max_us, spread } | { skipped }, peer?: { name, version, program } | { name, skipped }, machine }; every figure the median of the repetitions",
    )
    .action(async (options: CouplingOptions) => {
      const nodes = wholeNumberOption("--nodes", options.nodes, 1);
      if (nodes > 2) throw new UsageError(`--nodes: ${nodes}; this bench compares one node with two (--nodes 2)`);
      if (nodes === 2) {
        await benchAcrossNodes(options);
        return;
      }
      const operators = options.operator.split(",").map((name) => name.trim());
      for (const operator of operators) {
        if (operator !== "nearest" && operator !== "rbf-pu")
          throw new UsageError(`--operator: "${operator}" is not nearest or rbf-pu`);
      }
      const points = wholeNumberOption("--points", options.points, 10);
      const windows = wholeNumberOption("--windows", options.windows);
      const repeats = wholeNumberOption("--repeat", options.repeat);
      const peers = couplingPeers(options.peer);
      const [{ runCouplingRepetitions }, { couplingFigures }, { couplingBenchmarkJson, couplingBenchmarkTable }] =
        await Promise.all([
          import("../bench/coupling-repetitions.ts"),
          import("../bench/coupling-figures.ts"),
          import("../bench/coupling-report.ts"),
        ]);
      const result = await withBenchProgress("bench coupling", (progress) =>
        runCouplingRepetitions(
          { operators: operators as CouplingOperator[], points, windows, repeats, peers },
          progress,
        ),
      );
      const figures = couplingFigures(result);
      process.stdout.write(options.json ? `${couplingBenchmarkJson(figures)}\n` : couplingBenchmarkTable(figures));
    });
}

interface CouplingOptions {
  operator: string;
  points: string;
  windows: string;
  nodes: string;
  repeat: string;
  wait: string;
  peer?: string;
  json?: boolean;
}

function couplingPeers(list: string | undefined): CouplingPeerName[] {
  if (list === undefined) return [];
  const names = list.split(",").map((name) => name.trim());
  for (const name of names) {
    if (name !== "precice") throw new UsageError(`--peer: "${name}" is not a peer of this bench (precice)`);
  }
  return names as CouplingPeerName[];
}

async function benchAcrossNodes(options: CouplingOptions): Promise<void> {
  if (options.operator !== "nearest" && options.operator !== "nearest,rbf-pu") {
    throw new UsageError(`--operator: with --nodes 2 the bench runs nearest alone, not "${options.operator}"`);
  }
  const points = wholeNumberOption("--points", options.points, 10);
  const windows = wholeNumberOption("--windows", options.windows);
  const repeats = wholeNumberOption("--repeat", options.repeat);
  if (options.wait !== "block" && options.wait !== "hybrid") {
    throw new UsageError(`--wait: "${options.wait}" is not block or hybrid`);
  }
  const wait = options.wait;
  const [{ nodesBenchProblem, runCouplingNodesBenchmark }, { couplingNodesJson, couplingNodesTable }] =
    await Promise.all([import("../bench/coupling-nodes.ts"), import("../bench/coupling-nodes-report.ts")]);
  const problem = nodesBenchProblem();
  if (problem !== undefined) throw new UsageError(`bench coupling --nodes 2 ${problem}`);
  const result = await withBenchProgress(
    "bench coupling --nodes 2",
    (progress) => runCouplingNodesBenchmark(wait, points, windows, repeats, progress),
    (line) => line,
  );
  process.stdout.write(options.json ? `${couplingNodesJson(result)}\n` : couplingNodesTable(result));
}
