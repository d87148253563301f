import type { Command } from "commander";
import type { CouplingOperator } from "../bench/coupling.ts";
import type { CouplingPeerName } from "../bench/coupling-repetitions.ts";
import { describedCommand } from "./described-command.ts";
import { UsageError } from "./exit-codes.ts";
import { withBenchProgress } from "./task-progress.ts";
import { wholeNumberOption } from "./whole-number-option.ts";

export function registerBenchCoupling(bench: Command): void {
  describedCommand(bench, "coupling").action(async (options: CouplingOptions) => {
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
      runCouplingRepetitions({ operators: operators as CouplingOperator[], points, windows, repeats, peers }, progress),
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
