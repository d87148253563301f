// `conflux bench acceleration` end to end at a small size: the JSON it prints
// has a row per method and thread count, each with the distributions of an
// iteration and a window end, the threads really used (a vector past the
// threaded size uses both), and the speedup against the one-thread row of the
// same run. What is checked is the report's content, never a time.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { MicrosecondSummary } from "../../src/stats/microsecond-summary.ts";
import { runToEnd, startCli } from "../support/child-process.ts";

interface Report {
  cores: number;
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
  }[];
}

test("bench acceleration --json: each method on 1 and 2 threads, its distributions and the speedup in the same run", async (t) => {
  const ran = await runToEnd(
    startCli(t, [
      "bench",
      "acceleration",
      ...["--methods", "iqn-ils,iqn-imvj", "--sizes", "50000", "--columns", "4"],
      ...["--iterations", "3", "--threads", "1,2", "--json"],
    ]),
  );
  assert.equal(ran.code, 0, ran.stderr);
  const report = JSON.parse(ran.stdout) as Report;
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
    const { iteration } = run;
    assert.equal(iteration.n, 3, `${run.method} on ${run.threads}: 3 timed iterations`);
    assert.ok(iteration.p50_us > 0 && iteration.p50_us <= iteration.max_us && iteration.p99_us <= iteration.max_us);
    assert.ok(run.window_end.n >= 1);
    const reference = report.runs.find((other) => other.method === run.method && other.threads === 1);
    assert.ok(reference !== undefined);
    assert.equal(run.speedup_p50, reference.iteration.p50_us / iteration.p50_us);
    assert.equal(run.speedup_mean, reference.iteration.mean_us / iteration.mean_us);
  }
});
