// `conflux bench coupling` end to end at a small size: the JSON it prints
// carries a row per operator with as many windows as asked, the error of the
// returned linear field (exact with RBF-PU), what the check for non-finite
// values costs, and the C floor measured in the same run. With --nodes 2, on
// simulated nodes: both columns, the bytes a window moved, and the TCP floor of
// those bytes. What is checked is the report's content, never a time.
import assert from "node:assert/strict";
import { test } from "node:test";
import { runToEnd, startCli } from "../support/child-process.ts";
import { C_COMPILER, needs, SLURM, unmet } from "../support/requirements.ts";
import { simulatedNamespaces } from "../support/simulated-cluster.ts";

interface Report {
  rows: {
    operator: string;
    points: number;
    n: number;
    p50_us: number;
    max_error: number;
    finite_check: { per_window_us: number; share_of_p50: number; p50_without_check_us: number };
  }[];
  floor?: { n?: number; p50_us?: number; skipped?: string };
}

test("bench coupling --json reports each operator's windows, the returned field's error, and the C floor", async (t) => {
  const ran = await runToEnd(
    startCli(t, ["bench", "coupling", "--operator", "nearest,rbf-pu", "--points", "300", "--windows", "20", "--json"]),
  );
  assert.equal(ran.code, 0, ran.stderr);
  const report = JSON.parse(ran.stdout) as Report;
  assert.deepEqual(
    report.rows.map((row) => [row.operator, row.points, row.n]),
    [
      ["nearest", 300, 20],
      ["rbf-pu", 300, 20],
    ],
  );
  for (const row of report.rows) {
    assert.ok(row.p50_us > 0, `${row.operator} has a p50`);
    // The check for non-finite values: timed alone, and the windows measured again without it.
    const cost = row.finite_check;
    assert.ok(cost.per_window_us > 0 && cost.p50_without_check_us > 0, JSON.stringify(cost));
    assert.equal(cost.share_of_p50, cost.per_window_us / row.p50_us);
  }
  const rbf = report.rows.find((row) => row.operator === "rbf-pu");
  assert.ok(rbf !== undefined && rbf.max_error < 1e-9, `RBF-PU returns the linear field exactly (${rbf?.max_error})`);
  // The floor is part of the report wherever a C compiler is; without one it says why it is missing.
  if (unmet(C_COMPILER) === undefined) {
    assert.equal(report.floor?.n, 20, JSON.stringify(report.floor));
    assert.ok((report.floor?.p50_us ?? 0) > 0);
  } else {
    assert.match(report.floor?.skipped ?? "", /C compiler/);
  }
});

test("bench coupling names a bad option and the values it takes", async (t) => {
  const ran = await runToEnd(startCli(t, ["bench", "coupling", "--operator", "nearst"]));
  assert.equal(ran.code, 2);
  assert.match(ran.stderr, /--operator: "nearst" is not nearest or rbf-pu/);
});

interface NodesReport {
  wait: string;
  windows: number;
  repeats: number;
  one_node: { runs: { n: number; p50_us: number }[]; p50_us: { median: number; min: number; max: number } };
  two_nodes: {
    runs: { n: number; p50_us: number; bytes_to_node_per_window: number; bytes_from_node_per_window: number }[];
    bytes_to_node_per_window: number;
    bytes_from_node_per_window: number;
  };
  tcp_floor: { send_bytes: number; reply_bytes: number; n: number; p50_us: number };
  ratios: { two_nodes_over_one_node_p50: number; two_nodes_over_tcp_floor_p50: number };
}

test("bench coupling --nodes 2 --json: both columns' runs interleaved, the bytes a window moved, and a TCP floor of those bytes, on simulated nodes it takes down", {
  ...needs(SLURM),
  timeout: 600_000,
}, async (t) => {
  const args = ["bench", "coupling", "--nodes", "2", "--points", "300", "--windows", "20", "--repeat", "2", "--json"];
  const ran = await runToEnd(startCli(t, args));
  assert.equal(ran.code, 0, ran.stderr);
  const report = JSON.parse(ran.stdout) as NodesReport;
  assert.equal(report.wait, "block");
  assert.deepEqual([report.one_node.runs.length, report.two_nodes.runs.length], [2, 2]);
  for (const run of [...report.one_node.runs, ...report.two_nodes.runs]) assert.equal(run.n, 20);
  // A's field changes every window and B returns it doubled. B's operator is applied on node2, so what goes
  // there is the source values its rows read (most of A's 300 points are some target's nearest, not all), not
  // B's mapped field whole; B's field comes back whole for A's operator on node1 (the hello's coordinates
  // spread over the windows come on top of both).
  const field = 300 * 8;
  for (const run of report.two_nodes.runs) {
    assert.ok(run.bytes_to_node_per_window > field / 4, JSON.stringify(run));
    assert.ok(run.bytes_to_node_per_window < field, JSON.stringify(run));
    assert.ok(run.bytes_from_node_per_window >= field * 0.5, JSON.stringify(run));
  }
  assert.equal(report.tcp_floor.send_bytes, Math.round(report.two_nodes.bytes_to_node_per_window));
  assert.equal(report.tcp_floor.reply_bytes, Math.round(report.two_nodes.bytes_from_node_per_window));
  assert.equal(report.tcp_floor.n, 20);
  assert.ok(report.tcp_floor.p50_us > 0);
  // The ratio is of this run's own figures: the median of the two-node runs' p50 over the floor's.
  const [low = 0, high = 0] = report.two_nodes.runs.map((run) => run.p50_us).sort((a, b) => a - b);
  assert.equal(report.ratios.two_nodes_over_tcp_floor_p50, (low + high) / 2 / report.tcp_floor.p50_us);
  assert.deepEqual(simulatedNamespaces(), [], "the bench's cluster is gone");
});

test("bench coupling --nodes and --wait name what they take", async (t) => {
  const three = await runToEnd(startCli(t, ["bench", "coupling", "--nodes", "3"]));
  assert.equal(three.code, 2);
  assert.match(three.stderr, /--nodes: 3; this bench compares one node with two/);
  const spin = await runToEnd(startCli(t, ["bench", "coupling", "--nodes", "2", "--wait", "spin"]));
  assert.equal(spin.code, 2);
  assert.match(spin.stderr, /--wait: "spin" is not block or hybrid/);
});
