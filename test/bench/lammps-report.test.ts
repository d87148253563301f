// What `conflux bench lammps` makes of its rounds, without LAMMPS: given every
// round's distribution of a go for alone, publishing and coupled, each is shown
// by its median round, the spreads are over the rounds, the slowdowns are
// quotients of the rounds' medians, and the JSON keeps the fields a single run
// had beside `repeat`, `spread` and `repetitions`; the table prints each figure
// as median [min–max] and the machine's load. The example's own test runs the
// bench for real where the stacks can be built.
import assert from "node:assert/strict";
import { test } from "node:test";
import { lammpsBenchmarkJson, lammpsBenchmarkTable, lammpsFigures } from "../../src/bench/lammps.ts";
import type { Distribution } from "../../src/stats/distribution.ts";
import { assertRepeated } from "../support/repetitions.ts";

const REPEAT = 5;
const MODES = ["alone", "publishing", "coupled"] as const;
const STATISTICS = ["mean_ms", "sd_ms", "p50_ms", "p99_ms", "max_ms"] as const;

/** A round's go, ms: `p50` and the rest around it, so that rounds differ in every statistic. */
function go(p50: number): Distribution {
  return { n: 9, mean: p50 * 1.05, sd: p50 * 0.1, p50, p99: p50 * 1.5, max: p50 * 1.6 };
}

const P50S: Record<(typeof MODES)[number], number[]> = {
  alone: [44, 40, 48, 42, 46],
  publishing: [45, 41, 39, 47, 43],
  coupled: [50, 46, 44, 52, 48],
};

const machine = { cpus: 2, load_before: 0.5, load_after: 0.7, load_max: 0.9, started: "2026-12-04T00:00:00.000Z" };

const result = lammpsFigures(
  { every: 100, repeat: REPEAT },
  MODES.map((mode) => P50S[mode].map(go)),
  { published: 55, analysed: 50, skipped: 5 },
  machine,
);

test("bench lammps: each mode by its median round, the slowdowns from the rounds' medians", () => {
  const json = JSON.parse(lammpsBenchmarkJson(result));
  assert.deepEqual([json.rounds, json.repeat, json.steps_per_go, json.atoms], [REPEAT, REPEAT, 100, 8141]);
  assert.deepEqual(json.machine, machine);
  assert.deepEqual(json.analysis, { published: 55, analysed: 50, skipped: 5 });
  assert.equal(json.repetitions.length, REPEAT);
  for (const mode of MODES) {
    assert.deepEqual(Object.keys(json[mode]), ["n", ...STATISTICS]);
    assertRepeated(
      mode,
      json[mode],
      json.repetitions.map((round: Record<string, Record<string, number>>) => round[mode]),
      json.spread[mode],
      "p50_ms",
    );
    assert.deepEqual(Object.keys(json.spread[mode]), STATISTICS);
  }
  // The medians: alone 44, publishing 43, coupled 48 (p50); the means 1.05 times theirs.
  assert.equal(json.alone.p50_ms, 44);
  assert.ok(Math.abs(json.slowdown.p50 - (48 / 44 - 1)) < 1e-12);
  assert.ok(Math.abs(json.slowdown.mean - (48 / 44 - 1)) < 1e-12);
  assert.ok(Math.abs(json.publishing_slowdown.p50 - (43 / 44 - 1)) < 1e-12);
});

test("bench lammps: the table prints each figure as median [min–max], the slowdowns, the analysis and the machine", () => {
  const lines = lammpsBenchmarkTable(result).split("\n");
  assert.match(lines[0] ?? "", /in each of 5 rounds, interleaved, each shown by its median round$/);
  const row = (label: string) =>
    (lines.find((line) => line.trim().startsWith(`${label} `)) ?? "").trim().split(/ {2,}/);
  assert.deepEqual(row("alone").slice(0, 4), ["alone", "9", "44.00 [40.00–48.00]", "66.00 [60.00–72.00]"]);
  assert.deepEqual(row("coupled").slice(0, 3), ["coupled", "9", "48.00 [44.00–52.00]"]);
  // Round by round: coupled ÷ alone − 1 of each round's p50, its least and most.
  assert.ok(
    lines.some((line) =>
      line.startsWith("slowdown when coupled: +9.09% (means), +9.09% (medians; round by round -8.33%–+23.81%)"),
    ),
    lines.join("\n"),
  );
  assert.ok(lines.includes("bond analysis: 50 of 55 snapshots analysed, 5 skipped"));
  assert.match(
    lines.find((line) => line.startsWith("machine:")) ?? "",
    /^machine: 2 CPUs, load average 0\.50 at the start/,
  );
});
