import type { Command } from "commander";
import type { FloorResult } from "../bench/c-floor-runner.ts";
import type { CouplingOperator, CouplingRow } from "../bench/coupling.ts";
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
    .option("--repeat <n>", "with --nodes 2: runs of each column, interleaved", "5")
    .option(
      "--wait <strategy>",
      "with --nodes 2: block, or hybrid (a 1 ms spin first); the simulated nodes share this machine's cores",
      "block",
    )
    .option(
      "--json",
      "print { rows: [ { operator, points, n, setup_ms, mean_us, sd_us, p50_us, p99_us, max_us, max_error, finite_check: { per_window_us, share_of_p50, p50_without_check_us, p99_without_check_us } } ], floor: { n, mean_us, sd_us, p50_us, p99_us, max_us } | { skipped } }",
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
      const [{ measureCouplingFloor }, { runCouplingBenchmark }, { couplingBenchmarkJson, couplingBenchmarkTable }] =
        await Promise.all([
          import("../bench/c-floor-runner.ts"),
          import("../bench/coupling.ts"),
          import("../bench/coupling-report.ts"),
        ]);
      const rows: CouplingRow[] = [];
      // The nearest window's bare data movement in C, measured in this same run.
      let floor: FloorResult | undefined;
      await withBenchProgress("bench coupling", async (progress) => {
        for (const operator of operators as CouplingOperator[]) {
          progress(`${operator}: ${windows} windows of ${points} points, with and without the finite check`);
          rows.push(await runCouplingBenchmark(operator, points, windows));
        }
        if (operators.includes("nearest")) {
          progress(`the C floor: ${windows} windows of ${points} points`);
          floor = measureCouplingFloor(points, windows);
        }
      });
      process.stdout.write(
        options.json ? `${couplingBenchmarkJson(rows, floor)}\n` : couplingBenchmarkTable(rows, floor),
      );
    });
}

interface CouplingOptions {
  operator: string;
  points: string;
  windows: string;
  nodes: string;
  repeat: string;
  wait: string;
  json?: boolean;
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
