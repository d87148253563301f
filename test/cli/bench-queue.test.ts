// `conflux bench queue` end to end: every transport, wait and pairing the
// table promises (the C floor, the TypeScript queue between processes and
// threads, the C and Python clients, the oversubscribed case, and the pipe,
// socket and MessagePort beside), each a distribution of the round trips asked
// for, the ratios computed from this run's own rows, and the one-way throughput.
// What is checked is the report's content, never a time.
import assert from "node:assert/strict";
import { test } from "node:test";
import { runToEnd, startCli } from "../support/child-process.ts";
import { C_COMPILER, needs, PYTHON } from "../support/requirements.ts";

interface Row {
  transport: string;
  mode: string;
  between: string;
  load: string;
  n: number;
  mean_ns: number;
  sd_ns: number;
  p50_ns: number;
  p99_ns: number;
  max_ns: number;
  repetitions: Record<"p50_ns" | "p99_ns" | "mean_ns", { median: number; min: number; max: number; n: number }>;
}

interface Report {
  results: Row[];
  throughput: {
    transport: string;
    mode: string;
    between: string;
    messages: number;
    seconds: number;
    messages_per_s: number;
    repetitions: { messages_per_s: { median: number; min: number; max: number; n: number } };
  }[];
  skipped: unknown[];
  repeat: number;
  machine: { cpus: number; load_before: number; load_max: number };
}

const ITERATIONS = 300;

test(
  "bench queue --json: every transport and wait, a distribution of the round trips asked for, and throughput",
  needs(C_COMPILER, PYTHON),
  async (t) => {
    const ran = await runToEnd(startCli(t, ["bench", "queue", "--iterations", String(ITERATIONS), "--json"]));
    assert.equal(ran.code, 0, ran.stderr);
    const report = JSON.parse(ran.stdout) as Report;
    assert.deepEqual(report.skipped, []);
    const key = (row: Row) => `${row.transport} ${row.mode} ${row.between} ${row.load}`;
    assert.deepEqual(report.results.map(key), [
      "c-floor none process idle",
      "conflux spin process idle",
      "conflux hybrid process idle",
      "conflux block process idle",
      "conflux spin thread idle",
      "conflux hybrid thread idle",
      "conflux block thread idle",
      "conflux-c spin process idle",
      "conflux-c hybrid process idle",
      "conflux-c block process idle",
      "conflux-python spin process idle",
      "conflux-python hybrid process idle",
      "conflux-python block process idle",
      "conflux spin process oversubscribed",
      "conflux hybrid process oversubscribed",
      "pipe none process idle",
      "unix-socket none process idle",
      "message-port none thread idle",
    ]);
    for (const row of report.results) {
      // Every round trip asked for is one sample (sleeping waits take at most 10,000, more than asked here).
      assert.equal(row.n, ITERATIONS, key(row));
      assert.ok(
        row.p50_ns > 0 && row.p50_ns <= row.p99_ns && row.p99_ns <= row.max_ns,
        `${key(row)}: ${JSON.stringify(row)}`,
      );
      assert.ok(row.mean_ns > 0 && row.mean_ns <= row.max_ns && row.sd_ns >= 0, key(row));
      // Five rounds of every row; the row is the round whose p50 is the median.
      for (const statistic of ["p50_ns", "p99_ns", "mean_ns"] as const) {
        const spread = row.repetitions[statistic];
        assert.equal(spread.n, 5, `${key(row)} ${statistic}`);
        assert.ok(spread.min <= spread.median && spread.median <= spread.max, `${key(row)} ${statistic}`);
      }
      assert.equal(row.p50_ns, row.repetitions.p50_ns.median, key(row));
    }
    assert.equal(report.repeat, 5);
    assert.ok(report.machine.cpus > 0 && report.machine.load_max >= report.machine.load_before);
    assert.ok(report.throughput.length > 0);
    for (const row of report.throughput) {
      assert.ok(row.messages > 0 && row.seconds > 0, JSON.stringify(row));
      assert.ok(
        Math.abs(row.messages_per_s - row.messages / row.seconds) <= 1e-6 * row.messages_per_s,
        JSON.stringify(row),
      );
      const rates = row.repetitions.messages_per_s;
      assert.equal(rates.n, 5);
      assert.equal(row.messages_per_s, rates.median, JSON.stringify(row));
    }
  },
);

test("bench queue: the table's ratios are quotients of its own rows' p50", needs(C_COMPILER, PYTHON), async (t) => {
  const ran = await runToEnd(startCli(t, ["bench", "queue", "--iterations", String(ITERATIONS)]));
  assert.equal(ran.code, 0, ran.stderr);
  const p50 = (transport: string, mode: string) => {
    const line = ran.stdout.split("\n").find((text) => new RegExp(`^${transport} +${mode} +process +idle `).test(text));
    assert.ok(line, `${transport} ${mode} in\n${ran.stdout}`);
    // transport, mode, between, load, n, mean, ±, sd, then the p50.
    return Number((line.trim().split(/ +/)[8] as string).replace(/,/g, ""));
  };
  const ratio = (name: string) =>
    Number(new RegExp(`^${name}, p50, between processes, same run: ([\\d.]+)×$`, "m").exec(ran.stdout)?.[1]);
  const close = (shown: number, expected: number) => Math.abs(shown - expected) <= 0.01 + 0.02 * expected;
  const spin = p50("conflux", "spin");
  assert.ok(close(ratio("conflux spin / C floor"), spin / p50("c-floor", "none")), ran.stdout);
  assert.ok(close(ratio("conflux-c spin / conflux spin"), p50("conflux-c", "spin") / spin), ran.stdout);
  assert.ok(close(ratio("conflux-python spin / conflux spin"), p50("conflux-python", "spin") / spin), ran.stdout);
  assert.match(ran.stdout, /^One-way throughput$/m);
});
