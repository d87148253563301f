// `conflux bench coupling --peer precice` end to end at a small size: every
// column (ours, ours with the finite check off, the C floor, preCICE's
// two-participant benchmark) is run five times, interleaved, and each figure is
// the median of those runs with its spread; every ratio is the quotient of two
// of the report's own figures; the windows above p99 are counted and
// attributed; and where preCICE is absent (here: PRECICE_ROOT pointed at an
// empty directory) its column says it was skipped and why, in the JSON and in
// the table. What is checked is the report's consistency, never a time.
import assert from "node:assert/strict";
import { test } from "node:test";
import { outputOf, startCli } from "../support/child-process.ts";
import { scratchDirectory } from "../support/cli-scratch.ts";
import { C_COMPILER, needs, PRECICE, skipBecause, unmet } from "../support/requirements.ts";

interface Figure {
  median: number;
  min: number;
  max: number;
  n: number;
}

interface Row {
  operator: string;
  n: number;
  setup_ms: number;
  p50_us: number;
  p99_us: number;
  max_error: number;
  spread: { p50_us: Figure; p99_us: Figure; setup_ms: Figure };
  tail: { above_p99: number; windows: number; causes: Record<string, number>; longest_phase: Record<string, number> };
  precice?: {
    n?: number;
    p50_us?: number;
    p99_us?: number;
    initialize_ms?: number;
    max_error?: number;
    spread?: { p50_us: Figure; p99_us: Figure; initialize_ms: Figure };
    skipped?: string;
    failed?: string;
    retried?: string[];
  };
  ratios: Record<string, number>;
}

interface Report {
  points: number;
  windows: number;
  repetitions: number;
  rows: Row[];
  floor?: {
    n?: number;
    p50_us?: number;
    p99_us?: number;
    spread?: { p50_us: Figure; p99_us: Figure };
    skipped?: string;
  };
  peer?: { name: string; version?: string; program?: string; skipped?: string };
  machine: { cpus: number; load_max: number; started: string };
}

const SMALL = ["bench", "coupling", "--points", "300", "--windows", "20", "--repeat", "5", "--peer", "precice"];

function checkFigure(figure: Figure, median: number, what: string): void {
  assert.equal(figure.n, 5, `${what}: one value per repetition`);
  assert.equal(figure.median, median, `${what}: the row's figure is the median`);
  assert.ok(figure.min <= figure.median && figure.median <= figure.max, `${what}: ${JSON.stringify(figure)}`);
}

test("bench coupling --peer precice --json: five interleaved repetitions per column, medians with spread, ratios of the report's own figures, the tail attributed", async (t) => {
  const ran = await outputOf(startCli(t, [...SMALL, "--json"]));
  assert.equal(ran.code, 0, ran.stderr);
  const report = JSON.parse(ran.stdout) as Report;
  assert.deepEqual([report.points, report.windows, report.repetitions], [300, 20, 5]);
  assert.ok(report.machine.cpus >= 1 && report.machine.load_max >= 0 && report.machine.started !== "");
  assert.deepEqual(
    report.rows.map((row) => [row.operator, row.n]),
    [
      ["nearest", 20],
      ["rbf-pu", 20],
    ],
  );
  for (const row of report.rows) {
    checkFigure(row.spread.p50_us, row.p50_us, `${row.operator} p50`);
    checkFigure(row.spread.p99_us, row.p99_us, `${row.operator} p99`);
    checkFigure(row.spread.setup_ms, row.setup_ms, `${row.operator} setup`);
    // Every window above its repetition's p99 is counted once; each cause at most as often.
    assert.equal(row.tail.windows, 5 * 20);
    assert.ok(row.tail.above_p99 <= row.tail.windows);
    for (const [cause, count] of Object.entries(row.tail.causes)) {
      assert.ok(count >= 0 && count <= row.tail.above_p99, `${row.operator}: ${cause} ${count}`);
    }
    // Each of those windows has one phase that ran longest over its median: a step of A or B, or a transfer.
    const phases = Object.entries(row.tail.longest_phase);
    assert.deepEqual(phases.map(([phase]) => phase).sort(), [
      "A step",
      "A.mesh.written → B.mesh.read",
      "B step",
      "B.mesh.written → A.mesh.read",
    ]);
    assert.equal(
      phases.reduce((sum, [, count]) => sum + count, 0),
      row.tail.above_p99,
    );
  }
  const nearest = report.rows[0] as Row;
  if (unmet(C_COMPILER) === undefined) {
    const floor = report.floor;
    assert.ok(floor?.spread !== undefined && floor.p50_us !== undefined && floor.p99_us !== undefined);
    assert.equal(floor.n, 20);
    checkFigure(floor.spread.p50_us, floor.p50_us, "floor p50");
    checkFigure(floor.spread.p99_us, floor.p99_us, "floor p99");
    // The ratios against the floor are quotients of the two rows' medians.
    assert.equal(nearest.ratios.p50_over_floor_p50, nearest.p50_us / floor.p50_us);
    assert.equal(nearest.ratios.p99_over_floor_p99, nearest.p99_us / floor.p99_us);
  }
  assert.equal(report.rows[1]?.ratios.p50_over_floor_p50, undefined, "the floor is nearest's alone");
  // preCICE is no Debian package: where it is not installed, its column is skipped, saying why.
  const installed = PRECICE.missing() === undefined;
  if (!installed) {
    assert.match(report.peer?.skipped ?? "", /preCICE is not installed/);
    for (const row of report.rows) assert.equal(row.precice?.skipped, report.peer?.skipped);
  }
  await t.test(
    "preCICE's column: the same scenario, five repetitions, ratios of this run's medians",
    installed ? skipBecause(report.peer?.skipped) : needs(PRECICE),
    (column) => {
      assert.match(report.peer?.version ?? "", /^\d+\.\d+/);
      for (const row of report.rows) {
        const peer = row.precice;
        assert.ok(peer?.spread !== undefined, `${row.operator}: ${peer?.failed ?? "no preCICE figures"}`);
        assert.equal(peer.failed, undefined, "preCICE's runs failed twice in a row");
        // A run that failed once and succeeded when repeated is reported with its reason.
        for (const reason of peer.retried ?? []) column.diagnostic(`a preCICE run was repeated after: ${reason}`);
        assert.equal(peer.n, 20, "as many windows as ours");
        checkFigure(peer.spread.p50_us, peer.p50_us as number, `preCICE ${row.operator} p50`);
        checkFigure(peer.spread.p99_us, peer.p99_us as number, `preCICE ${row.operator} p99`);
        checkFigure(peer.spread.initialize_ms, peer.initialize_ms as number, `preCICE ${row.operator} initialize`);
        assert.equal(row.ratios.p50_over_precice_p50, row.p50_us / (peer.p50_us as number));
        assert.equal(row.ratios.p99_over_precice_p99, row.p99_us / (peer.p99_us as number));
        assert.equal(row.ratios.setup_over_precice_initialize, row.setup_ms / (peer.initialize_ms as number));
      }
      // RBF-PU returns the linear field exactly under both couplers.
      const rbf = report.rows[1] as Row;
      assert.ok(rbf.max_error < 1e-9 && (rbf.precice?.max_error as number) < 1e-9, JSON.stringify(rbf.precice));
    },
  );
});

test("bench coupling --peer precice with PRECICE_ROOT at a directory without preCICE: the column is skipped, saying why, in the JSON and the table", async (t) => {
  const empty = scratchDirectory(t);
  const small = ["bench", "coupling", "--operator", "nearest", "--points", "300", "--windows", "20", "--repeat", "1"];
  const environment = { PRECICE_ROOT: empty };
  const json = await outputOf(startCli(t, [...small, "--peer", "precice", "--json"], environment));
  assert.equal(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout) as Report;
  const reason = report.peer?.skipped ?? "";
  assert.match(reason, /preCICE is not installed under PRECICE_ROOT/);
  assert.ok(reason.includes(empty), reason);
  assert.equal(report.rows[0]?.precice?.skipped, reason);
  assert.equal(report.rows[0]?.ratios.p50_over_precice_p50, undefined);
  const table = await outputOf(startCli(t, [...small, "--peer", "precice"], environment));
  assert.equal(table.code, 0, table.stderr);
  const line = table.stdout.split("\n").find((text) => /^nearest\s+preCICE\s/.test(text));
  assert.match(line ?? "", /skipped \(why: below\)/);
  assert.match(table.stdout, /^preCICE: skipped: preCICE is not installed under PRECICE_ROOT/m);
  assert.doesNotMatch(table.stdout, /conflux ÷ preCICE/);
});

test("bench coupling's table: each row's ratio to the floor is the quotient of the rows printed, and the tail's causes are a table", {
  ...needs(C_COMPILER),
}, async (t) => {
  const ran = await outputOf(
    startCli(t, ["bench", "coupling", "--operator", "nearest", "--points", "300", "--windows", "20", "--repeat", "5"]),
  );
  assert.equal(ran.code, 0, ran.stderr);
  const lines = ran.stdout.split("\n");
  // "nearest  conflux  setup  n  p50 [min–max]  p99 [min–max]  max  error": the p50 and p99 medians.
  const medians = (column: RegExp) => {
    const line = lines.find((text) => column.test(text)) ?? "";
    const figures = [...line.matchAll(/(\d+(?:\.\d+)?) \[(\d+(?:\.\d+)?)–(\d+(?:\.\d+)?)\]/g)];
    return figures.map((figure) => Number(figure[1]));
  };
  const [, oursP50 = 0, oursP99 = 0] = medians(/^nearest\s+conflux\s{2}/);
  const [floorP50 = 0, floorP99 = 0] = medians(/^nearest\s+C floor/);
  const ratios = /conflux ÷ C floor: p50 ([\d.]+)×.*p99 ([\d.]+)×/.exec(ran.stdout);
  assert.ok(ratios !== null, ran.stdout);
  // The table rounds its figures; the ratio is of the unrounded medians, so they agree to the rounding.
  const close = (printed: number, quotient: number) => Math.abs(printed - quotient) <= 0.01 + 0.02 * quotient;
  assert.ok(close(Number(ratios[1]), oursP50 / floorP50), `${ratios[1]} against ${oursP50} / ${floorP50}`);
  assert.ok(close(Number(ratios[2]), oursP99 / floorP99), `${ratios[2]} against ${oursP99} / ${floorP99}`);
  assert.match(ran.stdout, /each figure the median of 5 repetitions run interleaved/);
  const above = /windows above p99\s+(\d+) of 100/.exec(ran.stdout);
  assert.ok(above !== null, ran.stdout);
  for (const cause of [
    "garbage collection",
    "page faults",
    "involuntary context switches",
    "voluntary context switches",
  ]) {
    const count = new RegExp(`^\\s+${cause}[^\\d]*(\\d+)\\s*$`, "m").exec(ran.stdout);
    assert.ok(count !== null && Number(count[1]) <= Number(above[1]), `${cause}: ${count?.[0]}`);
  }
  assert.match(ran.stdout, /^machine: \d+ CPUs, load average/m);
});

test("bench coupling --peer names the peers it takes", async (t) => {
  const ran = await outputOf(startCli(t, ["bench", "coupling", "--peer", "scipy"]));
  assert.equal(ran.code, 2);
  assert.match(ran.stderr, /--peer: "scipy" is not a peer of this bench \(precice\)/);
});
