// `conflux bench implicit --json` end to end with IQN-ILS (the tutorials'
// settings) on the heat case and on the elastic tube: the report carries the
// iterations of every window, their sum, the distributions of an iteration, a
// window and the driver's acceleration (with the counts the iterations imply),
// the heat case's error against u, the all-C pair's run, and preCICE's run of
// the same case beside when preCICE is installed (or why it is not); every run
// made in each of the --repeat rounds, shown by its median round, with each
// statistic's spread over the rounds. What is checked is the content, never a
// time.
import assert from "node:assert/strict";
import { type TestContext, test } from "node:test";
import { findPrecice } from "../../src/bench/precice-heat/precice-installation.ts";
import type { MicrosecondSummary } from "../../src/stats/microsecond-summary.ts";
import type { Spread } from "../../src/stats/spread.ts";
import { startProgram } from "../clients/programs.ts";
import { projectRoot, runToEnd, startCli } from "../support/child-process.ts";
import { assertRepeated, assertSpreadOf } from "../support/repetitions.ts";
import { C_COMPILER, NUMPY, needs } from "../support/requirements.ts";

const REPEAT = 5;

const STATISTICS = ["mean_us", "sd_us", "p50_us", "p99_us", "max_us"] as const;
const DISTRIBUTIONS = ["iteration", "window", "acceleration_cost", "convergence_cost"] as const;

/** What a round has of its own: the fields a single run had. */
type Round = Pick<Report["runs"][number], "total" | "not_converged" | (typeof DISTRIBUTIONS)[number]> & {
  wall_s: number;
};

interface Report {
  skipped?: string;
  repeat: number;
  machine: { cpus: number; load_max: number };
  runs: {
    case: string;
    acceleration: string;
    pair?: string;
    iterations: number[];
    total: number;
    windows: number;
    not_converged: number;
    iteration: MicrosecondSummary;
    window: MicrosecondSummary;
    acceleration_cost: MicrosecondSummary;
    convergence_cost: MicrosecondSummary;
    max_error?: number;
    wall_s: number;
    spread: Record<(typeof DISTRIBUTIONS)[number], Record<(typeof STATISTICS)[number], Spread>> & {
      total: Spread;
      wall_s: Spread;
    };
    repetitions: Round[];
  }[];
  precice?: {
    version?: string;
    skipped?: string;
    runs: {
      case: string;
      acceleration: string;
      iterations: number[];
      total: number;
      not_converged?: number;
      non_finite_from?: number;
      ms_per_iteration: number;
      ms_per_window: number;
      warnings: number;
      spread: { ms_per_iteration: Spread; ms_per_window: Spread };
      repetitions: { total: number; ms_per_iteration: number; ms_per_window: number }[];
    }[];
  };
}

/** That every run of the report was made in each round, and is shown by its median round with the rounds' spreads. */
function checkRepetitions(report: Report): void {
  assert.equal(report.repeat, REPEAT);
  assert.ok(report.machine.cpus >= 1 && Number.isFinite(report.machine.load_max));
  for (const run of report.runs) {
    const what = `${run.case}, ${run.acceleration}, ${run.pair}`;
    assert.equal(run.repetitions.length, REPEAT, `${what}: every round`);
    for (const round of run.repetitions) {
      // Each round is a whole run of its own: as many windows, each iteration timed.
      assert.equal(round.iteration.n, round.total, what);
      assert.equal(round.window.n, run.windows, what);
    }
    for (const distribution of DISTRIBUTIONS) {
      for (const statistic of STATISTICS) {
        assertSpreadOf(
          `${what}: ${distribution} ${statistic}`,
          run.spread[distribution][statistic],
          run.repetitions.map((round) => round[distribution][statistic]),
        );
      }
    }
    assertRepeated(
      what,
      run.iteration,
      run.repetitions.map((round) => round.iteration),
      run.spread.iteration,
      "p50_us",
    );
    for (const figure of ["total", "wall_s"] as const) {
      assertSpreadOf(
        `${what}: ${figure}`,
        run.spread[figure],
        run.repetitions.map((round) => round[figure]),
      );
    }
    // The row's other figures are of the same round as its iteration's.
    const shown = run.repetitions.find((round) => JSON.stringify(round.iteration) === JSON.stringify(run.iteration));
    assert.deepEqual([shown?.total, shown?.wall_s, shown?.window], [run.total, run.wall_s, run.window], what);
  }
  for (const peer of report.precice?.runs ?? []) {
    const what = `preCICE ${peer.case}, ${peer.acceleration}`;
    assert.equal(peer.repetitions.length, REPEAT, what);
    assertSpreadOf(
      `${what}: ms_per_iteration`,
      peer.spread.ms_per_iteration,
      peer.repetitions.map((round) => round.ms_per_iteration),
    );
    assert.equal(peer.ms_per_iteration, peer.spread.ms_per_iteration.median, what);
  }
}

/** The report of `conflux bench implicit ARGS --json`, run to its end. */
async function benchReport(t: TestContext, args: string[]): Promise<Report> {
  const bench = startProgram(t, [
    process.execPath,
    `${projectRoot}/bin/conflux.js`,
    "bench",
    "implicit",
    ...args,
    "--repeat",
    String(REPEAT),
    "--json",
  ]);
  const exit = await bench.exited;
  assert.deepEqual(exit, { code: 0, signal: null }, bench.stderr());
  return JSON.parse(bench.stdout()) as Report;
}

test(
  "bench implicit --json: the heat case's windows, distributions and error, preCICE's beside",
  needs(C_COMPILER, NUMPY),
  async (t) => {
    const report = await benchReport(t, ["--case", "heat", "--accelerations", "iqn-ils"]);
    assert.equal(report.skipped, undefined, report.skipped);
    checkRepetitions(report);
    // The tutorial's pair (Python Dirichlet, C Neumann), then both participants in C: the pair timed beside preCICE.
    assert.deepEqual(
      report.runs.map((run) => [run.case, run.acceleration, run.pair, run.windows, run.not_converged]),
      [
        ["heat", "iqn-ils", "python-c", 10, 0],
        ["heat", "iqn-ils", "c-c", 10, 0],
      ],
    );
    for (const run of report.runs) {
      assert.equal(run.iterations.length, 10);
      assert.equal(
        run.total,
        run.iterations.reduce((sum, count) => sum + count, 0),
      );
      // No growth across windows (preCICE's grows from 15 to 47 on this case).
      assert.ok(Math.max(...run.iterations) <= Math.min(...run.iterations) + 2, `${run.pair}: ${run.iterations}`);
      assert.equal(run.iteration.n, run.total);
      assert.equal(run.window.n, 10);
      assert.equal(run.acceleration_cost.n, run.total - 10, "accelerated in every iteration but each window's last");
      assert.equal(run.convergence_cost.n, run.total);
      for (const distribution of [run.iteration, run.window, run.acceleration_cost]) {
        assert.deepEqual(Object.keys(distribution), ["n", "mean_us", "sd_us", "p50_us", "p99_us", "max_us"]);
        assert.ok(distribution.p50_us > 0 && distribution.p50_us <= distribution.p99_us);
      }
      assert.ok((run.max_error ?? 1) < 1e-8, `${run.pair}: relative L2 error ${run.max_error}`);
    }
    if (findPrecice() === undefined) {
      assert.match(report.precice?.skipped ?? "", /preCICE is not installed/);
    } else if (report.precice?.skipped === undefined) {
      assert.deepEqual(
        report.precice?.runs.map((peer) => [peer.case, peer.acceleration, peer.iterations.length]),
        [["heat", "iqn-ils", 10]],
      );
    }
  },
);

test(
  "bench implicit --json: the tube's windows with IQN-ILS, with the wall in Python and in C, preCICE's beside",
  needs(C_COMPILER, NUMPY),
  async (t) => {
    const report = await benchReport(t, ["--case", "tube", "--accelerations", "iqn-ils"]);
    assert.equal(report.skipped, undefined, report.skipped);
    checkRepetitions(report);
    // The example's pair (C fluid, Python wall), then both in C: the pair timed beside preCICE.
    assert.deepEqual(
      report.runs.map((run) => [run.case, run.acceleration, run.pair, run.windows, run.not_converged]),
      [
        ["tube", "iqn-ils", "c-python", 100, 0],
        ["tube", "iqn-ils", "c-c", 100, 0],
      ],
    );
    for (const run of report.runs) {
      assert.equal(
        run.total,
        run.iterations.reduce((sum, count) => sum + count, 0),
      );
      // The tutorial's maximum; the first window, from rest, is the longest.
      assert.ok(Math.max(...run.iterations) <= 40, `${run.pair}: ${run.iterations}`);
      assert.equal(run.iteration.n, run.total);
      assert.equal(run.window.n, 100);
      assert.equal(run.acceleration_cost.n, run.total - 100, "accelerated in every iteration but each window's last");
      assert.equal(run.convergence_cost.n, run.total);
      assert.equal(run.max_error, undefined, "no analytic solution to measure against");
    }
    // One wall in numpy, one in C: the same law, the same iterations but for rounding.
    const [python, c] = report.runs as [Report["runs"][number], Report["runs"][number]];
    assert.ok(Math.abs(python.total - c.total) <= 0.02 * c.total, `${python.total} and ${c.total}`);
    if (findPrecice() === undefined) {
      assert.match(report.precice?.skipped ?? "", /preCICE is not installed/);
    } else if (report.precice?.skipped === undefined) {
      const [peer, ...more] = report.precice?.runs ?? [];
      assert.deepEqual(more, []);
      assert.deepEqual(
        [peer?.case, peer?.acceleration, peer?.iterations.length, peer?.not_converged],
        ["tube", "iqn-ils", 100, 0],
      );
      assert.equal(peer?.non_finite_from, undefined, "the pressure stays finite");
      assert.equal(
        peer?.total,
        peer?.iterations.reduce((sum, count) => sum + count, 0),
      );
      // The same solver and method under two couplers: the same iterations but for rounding.
      assert.ok(Math.abs((peer?.total ?? 0) - c.total) <= 0.02 * c.total, `preCICE ${peer?.total}, ours ${c.total}`);
      assert.ok(Number.isFinite(peer?.ms_per_iteration) && (peer?.ms_per_iteration ?? 0) > 0);
      assert.ok(Number.isFinite(peer?.ms_per_window) && (peer?.ms_per_window ?? 0) > 0);
    }
  },
);

test("bench implicit refuses fewer than five rounds, naming the option", async (t) => {
  const ran = await runToEnd(startCli(t, ["bench", "implicit", "--repeat", "4"]));
  assert.equal(ran.code, 2);
  assert.match(ran.stderr, /--repeat 4: give a whole number of at least 5/);
});
