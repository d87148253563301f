// `conflux bench implicit --json` end to end on the heat case with IQN-ILS
// (the tutorial's settings): the report carries the iterations of all ten
// windows, their sum, the distributions of an iteration, a window and the
// driver's acceleration (with the counts the iterations imply), the error
// against u, and preCICE's run of the same case beside when preCICE is
// installed (or why it is not). What is checked is the content, never a time.
import assert from "node:assert/strict";
import { test } from "node:test";
import { findPrecice } from "../../src/bench/precice-heat/precice-heat.ts";
import { startProgram } from "../clients/programs.ts";
import { projectRoot } from "../support/child-process.ts";
import { C_COMPILER, NUMPY, needs } from "../support/requirements.ts";

interface Distribution {
  n: number;
  mean_us: number;
  sd_us: number;
  p50_us: number;
  p99_us: number;
  max_us: number;
}

interface Report {
  skipped?: string;
  runs: {
    case: string;
    acceleration: string;
    pair?: string;
    iterations: number[];
    total: number;
    windows: number;
    not_converged: number;
    iteration: Distribution;
    window: Distribution;
    acceleration_cost: Distribution;
    convergence_cost: Distribution;
    max_error?: number;
  }[];
  precice?: {
    version?: string;
    skipped?: string;
    runs: { acceleration: string; iterations: number[]; total: number }[];
  };
}

test(
  "bench implicit --json: the heat case's windows, distributions and error, preCICE's beside",
  needs(C_COMPILER, NUMPY),
  async (t) => {
    // The report comes at the end, after a minute or so: collect the whole output.
    const bench = startProgram(t, [
      process.execPath,
      `${projectRoot}/bin/conflux.js`,
      ...["bench", "implicit", "--case", "heat", "--accelerations", "iqn-ils", "--json"],
    ]);
    const exit = await bench.exited;
    assert.deepEqual(exit, { code: 0, signal: null }, bench.stderr());
    const report = JSON.parse(bench.stdout()) as Report;
    assert.equal(report.skipped, undefined, report.skipped);
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
        report.precice?.runs.map((peer) => [peer.acceleration, peer.iterations.length]),
        [["iqn-ils", 10]],
      );
    }
  },
);
