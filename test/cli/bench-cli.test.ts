// `conflux bench cli` end to end: a row per case, each with as many samples as
// rounds and a distribution that is one (min ≤ p50 ≤ p99 ≤ max), the targets on
// the built commands, and the ratios computed from this run's own rows. What is
// checked is the report's content, never a time.
import assert from "node:assert/strict";
import { test } from "node:test";
import { runToEnd, startCli } from "../support/child-process.ts";

interface Report {
  rounds: number;
  rows: {
    case: string;
    n: number;
    mean_ms: number;
    p50_ms: number;
    p99_ms: number;
    max_ms: number;
    target_ms?: number;
  }[];
  ratios: { name: string; value: number }[];
  machine: { cpus: number };
}

test("bench cli --json: the floor, help and validate built and from the sources, with ratios of this run", async (t) => {
  const ran = await runToEnd(startCli(t, ["bench", "cli", "--rounds", "5", "--json"]));
  assert.equal(ran.code, 0, ran.stderr);
  const report = JSON.parse(ran.stdout) as Report;
  assert.equal(report.rounds, 5);
  assert.deepEqual(
    report.rows.map((row) => row.case),
    [
      "node -e '' (the floor)",
      "conflux --help",
      "conflux --help, from the sources",
      "conflux validate",
      "conflux validate, from the sources",
    ],
  );
  for (const row of report.rows) {
    assert.equal(row.n, 5, row.case);
    assert.ok(row.p50_ms > 0 && row.p50_ms <= row.p99_ms && row.p99_ms <= row.max_ms, JSON.stringify(row));
  }
  assert.deepEqual(
    report.rows.filter((row) => row.target_ms !== undefined).map((row) => [row.case, row.target_ms]),
    [
      ["conflux --help", 300],
      ["conflux validate", 500],
    ],
  );
  const p50 = (name: string) => report.rows.find((row) => row.case === name)?.p50_ms as number;
  const ratio = (name: string) => report.ratios.find((candidate) => candidate.name === name)?.value;
  assert.equal(
    ratio("conflux --help: built / sources (p50)"),
    p50("conflux --help") / p50("conflux --help, from the sources"),
  );
  assert.equal(ratio("conflux validate: built / floor (p50)"), p50("conflux validate") / p50("node -e '' (the floor)"));
});

test("bench cli --rounds below five is refused by name", async (t) => {
  const ran = await runToEnd(startCli(t, ["bench", "cli", "--rounds", "2"]));
  assert.equal(ran.code, 2);
  assert.match(ran.stderr, /--rounds 2: give a whole number of at least 5/);
});
