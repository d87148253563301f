// A run in physical time through the command line: `conflux run` of a
// serial-implicit composition (the driver's test components, in processes),
// its record's convergence history, `conflux inspect` showing iterations per
// window and the last residuals, and `conflux repro verify` comparing the
// history of a replay (iterations exactly, residuals within the outputs'
// tolerance).
import assert from "node:assert/strict";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { readRunRecord } from "../../src/record/run-record.ts";
import { runToEnd, startCli } from "../support/child-process.ts";
import { scratchDirectory, timePairComponents } from "./time-pair.ts";

function composition(results: string): string {
  return `${timePairComponents(2)}coupling:
  scheme: serial-implicit
  order: [A, B]
  window: 0.1
  max_time: 0.3
  max_iterations: 30
  convergence:
    - { field: B.m.x, measure: relative, limit: 1e-10 }
    - { field: A.m.y, measure: residual-relative, limit: 1e-9 }
  acceleration:
    method: iqn-ils
    fields: [A.m.y]
    initial_relaxation: 0.5
    filter: { type: qr2, limit: 1e-6 }
results:
  directory: ${results}
  outputs:
    - { field: A.m.x, tolerance: { relative: 1e-12 } }
    - { field: B.m.y }
`;
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
    /convergence: serial-implicit, windows of 0\.1 to t = 0\.3, acceleration iqn-ils: 3 windows, \d+ iterations, every window converged\n {2}iterations per window: \d+, \d+, \d+\n {2}last residuals \(window 2\): B\.m\.x \S+ \(relative \S+\); A\.m\.y \S+ \(relative \S+\)/,
  );

  const verified = await cli(["repro", "verify", run, "--quiet"]);
  assert.equal(verified.code, 0, `${verified.stdout}${verified.stderr}`);
  assert.match(
    verified.stdout,
    /convergence:\n {2}identical iterations in all 3 windows; \d+ residuals within their tolerance/,
  );
  assert.match(verified.stdout, /result: reproduced/);
  assert.deepEqual(readdirSync(shm), [], "no run left its segments behind");
});
