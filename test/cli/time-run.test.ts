// A run in physical time through the command line: `conflux run` of a
// serial-implicit composition (the driver's test components, in processes),
// its record's convergence history, `conflux inspect` showing iterations per
// window, the last residuals and every window's residual history (the first
// and last few of a run of many windows, any windows in full with --windows),
// and `conflux repro verify` comparing the history of a replay (iterations
// exactly, residuals within the outputs' tolerance).
import assert from "node:assert/strict";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { readRunRecord, type WindowConvergenceEntry } from "../../src/record/run-record.ts";
import { runToEnd, startCli } from "../support/child-process.ts";
import { scratchDirectory, timePairComponents } from "./time-pair.ts";

const IQN_ILS = `  acceleration:
    method: iqn-ils
    fields: [A.m.y]
    initial_relaxation: 0.5
    filter: { type: qr2, limit: 1e-6 }
`;

function composition(results: string, maxTime = 0.3, acceleration = IQN_ILS): string {
  return `${timePairComponents(2)}coupling:
  scheme: serial-implicit
  order: [A, B]
  window: 0.1
  max_time: ${maxTime}
  max_iterations: 30
  convergence:
    - { field: B.m.x, measure: relative, limit: 1e-10 }
    - { field: A.m.y, measure: residual-relative, limit: 1e-9 }
${acceleration}results:
  directory: ${results}
  outputs:
    - { field: A.m.x, tolerance: { relative: 1e-12 } }
    - { field: B.m.y }
`;
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A relative residual as inspect prints it: two significant digits. */
const residualText = (value: number) => (value === 0 ? "0" : value.toExponential(1));

/** inspect's line of one window's field: every iteration's relative residual as the record has it. */
function historyLine(window: WindowConvergenceEntry, field: string): RegExp {
  const residuals = (window.residuals[field] ?? []).map((residual) => residualText(residual.relative));
  const outcome = `(converged in ${window.iterations})`;
  return new RegExp(
    `\\n {4}window +${window.window}, ${escaped(field)}: +${escaped(residuals.join(" "))} ${escaped(outcome)}\\n`,
  );
}

test("a run in time records its convergence, inspect shows it and verify compares a replay's", async (t) => {
  const directory = scratchDirectory(t, "time-run");
  const shm = scratchDirectory(t, "time-run");
  const results = join(directory, "runs");
  const file = join(directory, "conflux.yaml");
  writeFileSync(file, composition(results));
  const cli = (args: string[]) => runToEnd(startCli(t, args, { CONFLUX_SHM_ROOT: shm }));

  const ran = await cli(["run", file, "--quiet"]);
  assert.equal(ran.code, 0, ran.stderr);
  const [made] = readdirSync(results);
  assert.ok(made !== undefined);
  const run = join(results, made);
  const record = readRunRecord(run);
  assert.deepEqual(record.time, {
    scheme: "serial-implicit",
    window: 0.1,
    maxTime: 0.3,
    iterations: record.time?.iterations,
  });
  assert.equal(record.iterations.planned, 3);
  assert.equal(record.iterations.completed, 3);
  const windows = record.convergence ?? [];
  assert.deepEqual(
    windows.map((window) => [window.window, window.converged, window.acceleration]),
    [0, 1, 2].map((window) => [window, true, "iqn-ils"]),
  );
  for (const window of windows) {
    assert.deepEqual(Object.keys(window.residuals), ["B.m.x", "A.m.y"]);
    assert.equal(window.residuals["B.m.x"]?.length, window.iterations);
  }
  assert.equal(
    record.time?.iterations,
    windows.reduce((total, window) => total + window.iterations, 0),
  );

  const inspected = await cli(["inspect", run]);
  assert.equal(inspected.code, 0, inspected.stderr);
  assert.match(inspected.stdout, /completed, 3\/3 windows in /);
  assert.match(
    inspected.stdout,
    /convergence: serial-implicit, windows of 0\.1 to t = 0\.3, acceleration iqn-ils: 3 windows, \d+ iterations, every window converged\n {2}iterations per window: \d+, \d+, \d+\n {2}last residuals \(window 2\): B\.m\.x \S+ \(relative \S+\); A\.m\.y \S+ \(relative \S+\)\n {2}residual history \(relative ‖Δ‖\/‖x̃‖ per iteration\):\n/,
  );
  for (const window of windows) {
    for (const field of ["B.m.x", "A.m.y"]) assert.match(inspected.stdout, historyLine(window, field));
  }

  const verified = await cli(["repro", "verify", run, "--quiet"]);
  assert.equal(verified.code, 0, `${verified.stdout}${verified.stderr}`);
  assert.match(
    verified.stdout,
    /convergence:\n {2}identical iterations in all 3 windows; \d+ residuals within their tolerance/,
  );
  assert.match(verified.stdout, /result: reproduced/);
  assert.deepEqual(readdirSync(shm), [], "no run left its segments behind");
});

test("inspect of many windows of many iterations shows the first and last few, and --windows any in full", async (t) => {
  const directory = scratchDirectory(t, "time-history");
  const shm = scratchDirectory(t, "time-history");
  const results = join(directory, "runs");
  const file = join(directory, "conflux.yaml");
  // Constant relaxation takes some twenty iterations a window: more than the overview shows of one.
  const constant = "  acceleration:\n    method: constant\n    fields: [A.m.y]\n    relaxation: 0.5\n";
  writeFileSync(file, composition(results, 1.4, constant));
  const cli = (args: string[]) => runToEnd(startCli(t, args, { CONFLUX_SHM_ROOT: shm }));
  const ran = await cli(["run", file, "--quiet"]);
  assert.equal(ran.code, 0, ran.stderr);
  const run = join(results, readdirSync(results)[0] as string);
  const windows = readRunRecord(run).convergence ?? [];
  assert.equal(windows.length, 14);
  assert.ok(
    windows.every((window) => window.converged && window.iterations > 12),
    windows.map((window) => window.iterations).join(", "),
  );

  const overview = await cli(["inspect", run]);
  assert.equal(overview.code, 0, overview.stderr);
  assert.match(
    overview.stdout,
    /\n {2}residual history \(relative ‖Δ‖\/‖x̃‖ per iteration\), windows 0 to 4 and 9 to 13 of 14 \(--windows all, or a list such as 5-8, for the rest\):\n/,
  );
  const shown = [...overview.stdout.matchAll(/\n {4}window +(\d+), (\S+): (.*) \(converged in (\d+)\)(?=\n)/g)];
  assert.deepEqual(
    shown.map((line) => [Number(line[1]), line[2]]),
    [0, 1, 2, 3, 4, 9, 10, 11, 12, 13].flatMap((window) => [
      [window, "B.m.x"],
      [window, "A.m.y"],
    ]),
  );
  assert.match(overview.stdout, /\n {4}window +4, A\.m\.y: .*\n {4}… 4 windows …\n {4}window +9, B\.m\.x: /);
  for (const line of shown) {
    const window = windows[Number(line[1])] as WindowConvergenceEntry;
    const relatives = (window.residuals[line[2] as string] ?? []).map((residual) => residualText(residual.relative));
    assert.equal(Number(line[4]), window.iterations);
    assert.equal(
      line[3]?.trim(),
      [...relatives.slice(0, 6), `… ${relatives.length - 11} more …`, ...relatives.slice(-5)].join(" "),
      `window ${window.window}: the first six iterations and the last five`,
    );
  }

  const listed = await cli(["inspect", run, "--windows", "6,12-13"]);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /\n {2}residual history \(relative ‖Δ‖\/‖x̃‖ per iteration\):\n/);
  for (const window of [6, 12, 13]) {
    for (const field of ["B.m.x", "A.m.y"]) {
      assert.match(listed.stdout, historyLine(windows[window] as WindowConvergenceEntry, field));
    }
  }
  assert.equal([...listed.stdout.matchAll(/\n {4}window /g)].length, 6, "only the windows listed");

  const beyond = await cli(["inspect", run, "--windows", "10-14"]);
  assert.equal(beyond.code, 2);
  assert.match(beyond.stderr, /--windows 10-14: the run recorded windows 0 to 13; 14 is not one of them/);
  assert.deepEqual(readdirSync(shm), [], "no run left its segments behind");
});
