// The text table of `conflux bench implicit` (without --json), end to end with
// Aitken and IQN-ILS on both examples and no preCICE: it names each example,
// then for each acceleration a row with the iterations per window in a form
// that agrees with the row's total and the case's number of windows (every
// window's count when they differ and are few, "n in every window" when flat,
// "least to most" when many), and the same rows in the table of times, each a
// median of the --repeat rounds with [min–max]. What is checked is the
// content, never a time.
import assert from "node:assert/strict";
import { test } from "node:test";
import { startProgram } from "../clients/programs.ts";
import { projectRoot } from "../support/child-process.ts";
import { C_COMPILER, NUMPY, needs } from "../support/requirements.ts";

const ACCELERATIONS = ["aitken", "iqn-ils"];
const REPEAT = 5;

/** A figure of the rounds: "median [min–max]". */
const WITH_SPREAD = /^([\d.]+) \[([\d.]+)–([\d.]+)\]$/;

/** That `cell` is a median within its range. */
function checkSpreadCell(what: string, cell: string): void {
  const match = WITH_SPREAD.exec(cell);
  assert.ok(match !== null, `${what}: "${cell}" is median [min–max]`);
  const [median, least, most] = [Number(match[1]), Number(match[2]), Number(match[3])];
  assert.ok(least <= median && median <= most, `${what}: ${cell}`);
}

/** Each example's heading line and its number of windows. */
const CASES = [
  {
    heading: "Partitioned heat (Python Dirichlet, C Neumann; window 0.1, 10 substeps, relative 1e-10), serial-implicit",
    windows: 10,
  },
  {
    heading: "Elastic tube 1-D (C fluid, Python wall; 100 windows of 0.01, relative 1e-5), serial-implicit",
    windows: 100,
  },
];

/** The columns of a table row: its cells, two spaces or more apart. */
const cells = (line: string) => line.trim().split(/ {2,}/);

/** That the iterations cell of a row agrees with its total over `windows` windows. */
function checkIterations(what: string, cell: string, total: number, windows: number): void {
  const text = cell.replace(/ \(\d+ not converged\)$/, "");
  const flat = /^(\d+) in every window$/.exec(text);
  const range = /^(\d+) to (\d+)$/.exec(text);
  if (flat !== null) {
    assert.equal(total, Number(flat[1]) * windows, `${what}: ${cell}, total ${total}`);
  } else if (range !== null) {
    const [least, most] = [Number(range[1]), Number(range[2])];
    assert.ok(windows > 24, `${what}: a range only for many windows`);
    assert.ok(least < most, `${what}: ${cell}`);
    assert.ok(least * windows < total && total < most * windows, `${what}: ${cell}, total ${total}`);
  } else {
    const counts = text.split(",").map(Number);
    assert.equal(counts.length, windows, `${what}: every window's count in ${cell}`);
    assert.ok(
      counts.every((count) => Number.isInteger(count) && count >= 1),
      `${what}: ${cell}`,
    );
    assert.equal(
      counts.reduce((sum, count) => sum + count, 0),
      total,
      `${what}: ${cell}`,
    );
  }
}

test(
  "bench implicit: the table names each example, its accelerations and their iterations per window",
  needs(C_COMPILER, NUMPY),
  async (t) => {
    const bench = startProgram(t, [
      process.execPath,
      `${projectRoot}/bin/conflux.js`,
      "bench",
      "implicit",
      "--case",
      "heat,tube",
      "--accelerations",
      ACCELERATIONS.join(","),
      "--no-precice",
      "--repeat",
      String(REPEAT),
    ]);
    assert.deepEqual(await bench.exited, { code: 0, signal: null }, bench.stderr());
    const lines = bench.stdout().split("\n");
    assert.doesNotMatch(bench.stdout(), /preCICE|FAILED|failed/, "no preCICE asked for, and no run failed");

    assert.equal(
      lines[0],
      `Every run made in each of ${REPEAT} rounds, interleaved, and shown by the round whose iteration p50 is the median`,
    );
    assert.match(
      bench.stdout(),
      /^machine: \d+ CPUs, load average [\d.]+ at the start, [\d.]+ at the end, [\d.]+ at most/m,
    );

    let after = 0;
    for (const { heading, windows } of CASES) {
      const at = lines.indexOf(heading, after);
      assert.ok(at >= after, `the heading of the example, after the last one:\n${heading}\nin\n${bench.stdout()}`);
      after = at + 1;
      // The iterations: a header, then one row per acceleration, in the order asked for.
      assert.deepEqual(cells(lines[at + 1] ?? ""), ["acceleration", "iterations per window", "total"]);
      const rows = lines.slice(at + 2, at + 2 + ACCELERATIONS.length).map(cells);
      assert.deepEqual(
        rows.map((row) => row[0]),
        ACCELERATIONS,
      );
      for (const [name, iterations = "", total = ""] of rows) {
        assert.match(total, /^\d+$/, `${name}: total`);
        checkIterations(`${heading.split(" (")[0]}, ${name}`, iterations, Number(total), windows);
      }
      // The times: the same rows under their own header, each figure a median of the rounds within their range.
      const times = lines.indexOf(
        `  times in µs, median [min–max] of the ${REPEAT} rounds' p50 (p99); mean ± sd of the median round:`,
        at,
      );
      assert.equal(times, at + 2 + ACCELERATIONS.length + 1, "the times follow the iterations after one empty line");
      assert.deepEqual(cells(lines[times + 1] ?? ""), [
        "acceleration",
        "per iteration p50",
        "per window p50",
        "acceleration p50",
        "acceleration p99",
        "per iteration mean ± sd",
      ]);
      const timeRows = lines.slice(times + 2, times + 2 + ACCELERATIONS.length).map(cells);
      assert.deepEqual(
        timeRows.map((row) => row[0]),
        ACCELERATIONS,
      );
      for (const [name, ...figures] of timeRows) {
        for (const figure of figures.slice(0, 4)) checkSpreadCell(`${heading.split(" (")[0]}, ${name}`, figure);
        assert.match(figures[4] ?? "", /^[\d.]+ ± [\d.]+$/, `${name}: mean ± sd`);
      }
    }
    // Only the heat case has an analytic solution to measure against.
    const errors = lines.filter((line) => line.includes("relative L2 error against u"));
    assert.equal(errors.length, 1);
    const error = Number(/: (\S+)$/.exec(errors[0] ?? "")?.[1]);
    assert.ok(error < 1e-8, `the heat case's error ${error}`);
    assert.ok(
      lines.indexOf(CASES[1]?.heading ?? "") > lines.indexOf(errors[0] ?? ""),
      "the error line is the heat case's",
    );
  },
);
