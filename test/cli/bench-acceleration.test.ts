// `conflux bench acceleration` end to end at a small size: the JSON it prints
// has a row per method and thread count, each with the distributions of an
// iteration and a window end, the threads really used (a vector past the
// threaded size uses both), and the speedup against the one-thread row of the
// same run; every row measured in each of the --repeat rounds, shown by the
// round whose p50 is the median, with each statistic's spread over the rounds
// and the speedups quotients of the medians. What is checked is the report's
// content, never a time.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { MicrosecondSummary } from "../../src/stats/microsecond-summary.ts";
import type { Spread } from "../../src/stats/spread.ts";
import { runToEnd, startCli } from "../support/child-process.ts";
import { assertRepeated } from "../support/repetitions.ts";

const REPEAT = 5;

type SpreadOf = Record<"mean_us" | "sd_us" | "p50_us" | "p99_us" | "max_us", Spread>;

interface Report {
  cores: number;
  repeat: number;
  machine: { cpus: number; load_max: number };
  runs: {
    method: string;
    values: number;
    columns: number;
    threads: number;
    threads_used: number;
    iteration: MicrosecondSummary;
    window_end: MicrosecondSummary;
    speedup_mean: number;
    speedup_p50: number;
    spread: { iteration: SpreadOf; window_end: SpreadOf };
    repetitions: { iteration: MicrosecondSummary; window_end: MicrosecondSummary }[];
  }[];
}

test("bench acceleration --json: each method on 1 and 2 threads, its distributions and the speedup in the same run", async (t) => {
  const ran = await runToEnd(
    startCli(t, [
      "bench",
      "acceleration",
      ...["--methods", "iqn-ils,iqn-imvj", "--sizes", "50000", "--columns", "4"],
      ...["--iterations", "3", "--threads", "1,2", "--repeat", String(REPEAT), "--json"],
    ]),
  );
  assert.equal(ran.code, 0, ran.stderr);
  const report = JSON.parse(ran.stdout) as Report;
  assert.equal(report.repeat, REPEAT);
  assert.ok(report.machine.cpus >= 1 && Number.isFinite(report.machine.load_max));
  assert.deepEqual(
    report.runs.map((run) => [run.method, run.values, run.columns, run.threads, run.threads_used]),
    [
      ["iqn-ils", 50000, 4, 1, 1],
      ["iqn-ils", 50000, 4, 2, 2],
      ["iqn-imvj", 50000, 4, 1, 1],
      ["iqn-imvj", 50000, 4, 2, 2],
    ],
  );
  for (const run of report.runs) {
    const what = `${run.method} on ${run.threads}`;
    const { iteration } = run;
    assert.equal(iteration.n, 3, `${what}: 3 timed iterations`);
    assert.ok(iteration.p50_us > 0 && iteration.p50_us <= iteration.max_us && iteration.p99_us <= iteration.max_us);
    assert.ok(run.window_end.n >= 1);
    // Every round really ran: as many as asked, each with its own timed iterations.
    assert.equal(run.repetitions.length, REPEAT, what);
    for (const round of run.repetitions) {
      assert.equal(round.iteration.n, 3, what);
      assert.ok(round.window_end.n >= 1, what);
    }
    // The row is one of its rounds, the one whose p50 is the median, and each spread is over the rounds.
    for (const distribution of ["iteration", "window_end"] as const) {
      assertRepeated(
        `${what}: ${distribution}`,
        run[distribution],
        run.repetitions.map((round) => round[distribution]),
        run.spread[distribution],
        "p50_us",
      );
    }
    const reference = report.runs.find((other) => other.method === run.method && other.threads === 1);
    assert.ok(reference !== undefined);
    // The speedups: quotients of the one-thread row's medians and this row's, all of this run.
    assert.equal(run.speedup_p50, reference.spread.iteration.p50_us.median / run.spread.iteration.p50_us.median);
    assert.equal(run.speedup_mean, reference.spread.iteration.mean_us.median / run.spread.iteration.mean_us.median);
  }
});

test("bench acceleration refuses fewer than five rounds, naming the option", async (t) => {
  const ran = await runToEnd(startCli(t, ["bench", "acceleration", "--repeat", "4"]));
  assert.equal(ran.code, 2);
  assert.match(ran.stderr, /--repeat 4: give a whole number of at least 5/);
});
