// `conflux bench coupling` end to end at a small size: the JSON it prints
// carries a row per operator with as many windows as asked, the error of the
// returned linear field (exact with RBF-PU), what the check for non-finite
// values costs, and the C floor measured in the same run. What is checked is the report's content, never a time.
import assert from "node:assert/strict";
import { test } from "node:test";
import { runToEnd, startCli } from "../support/child-process.ts";
import { C_COMPILER, unmet } from "../support/requirements.ts";

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
