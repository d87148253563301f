// `conflux bench map` end to end at small sizes: the JSON carries, per row,
// ours at every thread count as medians of at least five repetitions with
// their spread, the speedups, and the peers measured in the same run on the
// same points (scipy's nearest partners are ours; preCICE's mapped linear
// field is the field); --scale reports sizes, memory per point and the growth
// exponent. What is checked is the report's content, never a time.
import assert from "node:assert/strict";
import { test } from "node:test";
import { outputOf, runToEnd, startCli } from "../support/child-process.ts";
import { needs, PRECICE, SCIPY, skipBecause } from "../support/requirements.ts";

interface Figure {
  median: number;
  min: number;
  max: number;
  n: number;
}

interface Report {
  rows: {
    operator: string;
    source_points: number;
    ours: { threads: number; setup_ms: Figure; setup_cpu_ms: Figure; apply_us: Figure; memory_bytes: number }[];
    speedups: { threads: number; setup: number; apply: number }[];
    peers: {
      peer: string;
      setup_ms: Figure;
      apply_us?: Figure;
      setup_ratio: number;
      check?: string;
      failed?: string;
      retried?: string[];
    }[];
    lead?: { setup: number; over: string; apply?: number; apply_over?: string };
  }[];
  peers: { peer: string; version?: string; skipped?: string }[];
  repetitions: number;
  threads: number[];
  machine: { cpus: number; load_before: number; load_max: number; started: string };
}

function checkFigure(figure: Figure, what: string, repetitions = 5): void {
  assert.ok(figure.n >= repetitions, `${what}: ${figure.n} repetitions`);
  assert.ok(
    figure.min > 0 && figure.min <= figure.median && figure.median <= figure.max,
    `${what}: ${JSON.stringify(figure)}`,
  );
}

test("bench map --json: medians with spread, thread columns and the peers beside ours", async (t) => {
  const ran = await outputOf(
    startCli(t, [
      "bench",
      "map",
      "--quick",
      "--only",
      "nearest",
      "--threads",
      "1,2",
      "--peer",
      "scipy,precice",
      "--json",
    ]),
  );
  assert.equal(ran.code, 0, ran.stderr);
  const report = JSON.parse(ran.stdout) as Report;
  assert.deepEqual(report.threads, [1, 2]);
  assert.equal(report.repetitions, 5);
  assert.ok(report.machine.cpus >= 1 && report.machine.load_max >= 0 && report.machine.started !== "");
  assert.deepEqual(
    report.rows.map((row) => [row.operator, row.source_points]),
    [
      ["nearest", 3000],
      ["nearest", 10_000],
      ["nearest conservative", 3000],
    ],
  );
  for (const row of report.rows) {
    const parallel = row.operator === "nearest";
    assert.deepEqual(
      row.ours.map((column) => column.threads),
      parallel ? [1, 2] : [1],
    );
    for (const column of row.ours) {
      checkFigure(column.setup_ms, `${row.operator} setup`);
      checkFigure(column.apply_us, `${row.operator} apply`);
      assert.ok(column.memory_bytes > 0);
    }
    assert.equal(row.speedups.length, parallel ? 1 : 0);
  }
  const nearest = report.rows[0];
  const scipy = report.peers.find((peer) => peer.peer === "scipy");
  // Without scipy the report says so by name; the column's own checks are then skipped, or fail under CONFLUX_TEST_REQUIRE=all.
  if (SCIPY.missing() !== undefined) assert.match(scipy?.skipped ?? "", /python3-scipy/);
  await t.test("scipy's nearest column, on the same points", needs(SCIPY), () => {
    const column = nearest?.peers.find((peer) => peer.peer === "scipy");
    assert.ok(column !== undefined, "scipy measured nearest");
    assert.equal(column.failed, undefined);
    checkFigure(column.setup_ms, "scipy setup");
    assert.equal(column.check, "same nearest partners (sum of indices equal)");
    assert.ok(column.setup_ratio > 0 && nearest?.lead !== undefined);
    // The apply lead is over the peer fastest at apply, which need not be the one fastest at setup;
    // a peer whose runs failed is left out of the lead, as the report leaves it out.
    const fastestApply = nearest.peers
      .filter((peer) => peer.apply_us !== undefined && peer.failed === undefined)
      .reduce((a, b) => ((a.apply_us as Figure).median <= (b.apply_us as Figure).median ? a : b));
    assert.equal(nearest.lead.apply_over, fastestApply.peer);
  });
  // preCICE is no Debian package: where it is not installed, or does not run here, the report says why and the column is skipped.
  const precice = report.peers.find((peer) => peer.peer === "precice");
  const installed = PRECICE.missing() === undefined;
  if (!installed) assert.match(precice?.skipped ?? "", /preCICE is not installed/);
  else if (precice?.skipped !== undefined) assert.match(precice.skipped, /preCICE/);
  // Installed but not runnable here (its runtime libraries): skipped with the report's reason.
  await t.test(
    "preCICE's nearest column, on the same points",
    installed ? skipBecause(precice?.skipped) : needs(PRECICE),
    () => {
      const column = nearest?.peers.find((peer) => peer.peer === "precice");
      assert.ok(column !== undefined, "preCICE measured nearest");
      assert.equal(column.failed, undefined, "preCICE's runs failed twice in a row");
      // A run that failed once and succeeded when repeated is reported with its reason.
      for (const reason of column.retried ?? []) t.diagnostic(`a preCICE run was repeated after: ${reason}`);
      checkFigure(column.setup_ms, "preCICE setup");
      assert.match(column.check ?? "", /max error of the mapped linear field/);
    },
  );
});

test("bench map --scale --json: sizes, memory per point and the growth exponent of setup time", async (t) => {
  const ran = await outputOf(startCli(t, ["bench", "map", "--scale", "--quick", "--only", "nearest", "--json"]));
  assert.equal(ran.code, 0, ran.stderr);
  const report = JSON.parse(ran.stdout) as {
    rows: {
      operator: string;
      points: number;
      threads: number;
      setup_s: Figure;
      peak_bytes_per_point: Figure;
      operator_bytes_per_point: number;
    }[];
    growth: { operator: string; exponent: number; sizes: number[] }[];
  };
  assert.deepEqual(
    report.rows.map((row) => [row.operator, row.points, row.threads]),
    [
      ["nearest", 1e4, 1],
      ["nearest", 1e5, 1],
    ],
  );
  for (const row of report.rows) {
    checkFigure(row.setup_s, `setup at ${row.points}`);
    // The partners alone are 4 bytes a point.
    assert.equal(row.operator_bytes_per_point, 4);
    assert.ok(row.peak_bytes_per_point.median >= 0);
  }
  assert.equal(report.growth.length, 1);
  assert.ok(Number.isFinite(report.growth[0]?.exponent), JSON.stringify(report.growth));
});

test("bench map names a bad option and what it takes", async (t) => {
  for (const [args, message] of [
    [["--peer", "numpy"], /unknown peer numpy; the peers are scipy, precice/],
    [["--threads", "1,0"], /--threads takes whole numbers from 1 to 256/],
    [["--repeat", "3"], /--repeat takes a whole number ≥ 5/],
  ] as const) {
    const ran = await runToEnd(startCli(t, ["bench", "map", ...args]));
    assert.equal(ran.code, 2, `${args.join(" ")}: ${ran.stderr}`);
    assert.match(ran.stderr, message);
  }
});
