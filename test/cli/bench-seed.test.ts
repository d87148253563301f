// `conflux bench seed` end to end at a small size: every column runs the
// repetitions asked, interleaved (baseline, process, baseline, process, …),
// each row's figures are the medians of its repetitions with their range, the
// ratio of process to baseline is the quotient of the two columns' medians
// from this one run, and the machine's load is part of the report. What is
// checked is the report's content, never a time.
import assert from "node:assert/strict";
import { test } from "node:test";
import { outputOf, startCli } from "../support/child-process.ts";

const ITERATIONS = 20;
const REPETITIONS = 5;
const STATISTICS = ["mean_us", "sd_us", "p50_us", "p99_us", "max_us"] as const;
type Statistic = (typeof STATISTICS)[number];

interface Figure {
  median: number;
  min: number;
  max: number;
  n: number;
}

type Run = Record<Statistic, number> & { repetition: number; n: number };

type Row = Record<Statistic, number> & {
  measurement: string;
  enclave: string;
  n: number;
  spread: Record<Statistic, Figure>;
  runs: Run[];
};

interface Report {
  points: number;
  iterations: number;
  repetitions: number;
  order: { repetition: number; enclave: string; failed?: true }[];
  rows: Row[];
  ratios: { of: string; over: string; ratio: number; pairs: Figure; target: number; within_target: boolean }[];
  outliers: { enclave: string; above: number; causes: Record<string, number> }[];
  notes: string[];
  skipped: string[];
  machine: { cpus: number; load_before: number; load_after: number; load_max: number; started: string };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] as number;
}

const ARGS = [
  "bench",
  "seed",
  "--enclaves",
  "baseline,process",
  "--points",
  "300",
  "--iterations",
  String(ITERATIONS),
  "--repeat",
  String(REPETITIONS),
];

test("bench seed --json: every column's repetitions interleaved, medians with their range, the ratio of one run, the machine's load", async (t) => {
  const ran = await outputOf(startCli(t, [...ARGS, "--json"]));
  assert.equal(ran.code, 0, ran.stderr);
  const report = JSON.parse(ran.stdout) as Report;
  assert.deepEqual([report.points, report.iterations, report.repetitions], [300, ITERATIONS, REPETITIONS]);
  assert.deepEqual(report.skipped, []);

  // Interleaved: one run of each column in turn. A run that failed once and was run again is marked, and said in a note.
  const completed = report.order.filter((entry) => entry.failed === undefined);
  assert.deepEqual(
    completed,
    Array.from({ length: REPETITIONS }, (_, repetition) => [
      { repetition, enclave: "baseline" },
      { repetition, enclave: "process" },
    ]).flat(),
  );
  for (const entry of report.order.filter((candidate) => candidate.failed === true)) {
    assert.ok(
      report.notes.some((note) => note.startsWith(`${entry.enclave}: repetition ${entry.repetition + 1} failed once`)),
      JSON.stringify(report.notes),
    );
  }

  // The baseline has no command queue (both apps in one process); the process column has every row.
  assert.deepEqual(
    report.rows.map((row) => [row.enclave, row.measurement]),
    [
      ["baseline", "a-to-b"],
      ["baseline", "b-to-a"],
      ["baseline", "iteration"],
      ["process", "command-queue"],
      ["process", "a-to-b"],
      ["process", "b-to-a"],
      ["process", "iteration"],
    ],
  );
  for (const row of report.rows) {
    const what = `${row.enclave} ${row.measurement}`;
    assert.deepEqual(
      row.runs.map((run) => run.repetition),
      [0, 1, 2, 3, 4],
      what,
    );
    // Each repetition is a whole run: every iteration (the command queue: its pings) in it.
    for (const run of row.runs) assert.equal(run.n, row.n, what);
    if (row.measurement !== "command-queue") assert.equal(row.n, ITERATIONS, what);
    for (const statistic of STATISTICS) {
      const figure = row.spread[statistic];
      const values = row.runs.map((run) => run[statistic]);
      assert.equal(figure.n, REPETITIONS, `${what} ${statistic}`);
      assert.equal(figure.median, median(values), `${what} ${statistic}: the median of the repetitions`);
      assert.equal(figure.min, Math.min(...values), `${what} ${statistic}`);
      assert.equal(figure.max, Math.max(...values), `${what} ${statistic}`);
      assert.ok(figure.min <= figure.median && figure.median <= figure.max, `${what} ${statistic}`);
      // The fields a row had before repetitions keep their names and carry the median.
      assert.equal(row[statistic], figure.median, `${what} ${statistic}`);
    }
    assert.ok(row.spread.p50_us.min > 0, `${what} was timed`);
  }

  // Only process ÷ baseline: no container column ran, so no container ratio.
  assert.equal(report.ratios.length, 1, JSON.stringify(report.ratios));
  const [ratio] = report.ratios;
  const iteration = (enclave: string) =>
    report.rows.find((row) => row.enclave === enclave && row.measurement === "iteration") as Row;
  const processRow = iteration("process");
  const baselineRow = iteration("baseline");
  assert.deepEqual([ratio?.of, ratio?.over, ratio?.target], ["process", "baseline", 1.1]);
  assert.equal(ratio?.ratio, processRow.p50_us / baselineRow.p50_us);
  assert.equal(ratio?.within_target, (ratio?.ratio ?? Number.NaN) <= 1.1);
  // The pairs are the k-th run of one column over the k-th of the other, runs next to each other in time.
  const pairs = processRow.runs.map((run, k) => run.p50_us / (baselineRow.runs[k] as Run).p50_us);
  assert.deepEqual(ratio?.pairs, {
    median: median(pairs),
    min: Math.min(...pairs),
    max: Math.max(...pairs),
    n: REPETITIONS,
  });

  assert.deepEqual(
    report.outliers.map((outlier) => outlier.enclave),
    ["baseline", "process"],
  );
  for (const outlier of report.outliers) {
    assert.ok(outlier.above >= 0 && outlier.above <= REPETITIONS * ITERATIONS, JSON.stringify(outlier));
  }

  const { machine } = report;
  assert.ok(machine.cpus >= 1, JSON.stringify(machine));
  assert.ok(machine.load_before >= 0 && machine.load_after >= 0, JSON.stringify(machine));
  assert.ok(machine.load_max >= machine.load_before && machine.load_max >= machine.load_after, JSON.stringify(machine));
  assert.ok(!Number.isNaN(Date.parse(machine.started)), machine.started);
});

test("bench seed's table states the repetitions, each figure's range, the ratio beside its target and the load", async (t) => {
  const ran = await outputOf(startCli(t, ARGS));
  assert.equal(ran.code, 0, ran.stderr);
  assert.match(
    ran.stdout,
    /median \(fastest–slowest\) of 5 repetitions, the columns run interleaved \(baseline, process, baseline, …\)/,
  );
  assert.match(ran.stdout, /^machine: \d+ CPUs, load average [\d.]+ at the start, [\d.]+ at the end, [\d.]+ at most/m);
  assert.match(ran.stdout, /^complete iteration +p50 +[\d.]+ \([\d.]+–[\d.]+\) +[\d.]+ \([\d.]+–[\d.]+\)/m);
  assert.match(ran.stdout, /^ {2}process ÷ baseline: [\d.]+× \[[\d.]+×–[\d.]+×\]; target ≤ 1\.10×/m);
});

test("bench seed refuses fewer than five repetitions, naming the option", async (t) => {
  const ran = await outputOf(startCli(t, ["bench", "seed", "--repeat", "4"]));
  assert.equal(ran.code, 2);
  assert.match(ran.stderr, /--repeat 4: give a whole number of at least 5/);
});
