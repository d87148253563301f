// examples/lammps-crack for real: its two stacks built by debootstrap (once
// per suite run, in the suite's shared store: the numpy 2 one is
// conflicting-stacks'), then LAMMPS's crack example in one container
// publishing its atoms every 100 steps to the bond analysis in the other, which
// runs free. At every step the analysis analysed, its bond count is exactly
// the one LAMMPS itself computes in the same run (half the sum of compute
// coord/atom at the same cutoff, which honours the deck's neigh_modify
// exclude). Shortened to 2,000 of the deck's 5,000 steps: the exclusion
// matters in the first 1,400 and bonds break from 1,600 on. Then the adapter's
// path without numpy, and `conflux bench lammps --json` (five rounds of ten
// goes each: every figure a median of at least five). Needs root
// (debootstrap), the Debian mirror and bubblewrap.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { STACKS_VARIABLE } from "../../src/stack/stack-store.ts";
import type { Spread } from "../../src/stats/spread.ts";
import { type Fixture, projectRoot, startCli } from "../support/child-process.ts";
import { assertRepeated } from "../support/repetitions.ts";
import {
  BUBBLEWRAP,
  DEBOOTSTRAP,
  debianMirrorUnreachable,
  needs,
  skipBecause,
  unmet,
} from "../support/requirements.ts";
import { testStacksDirectory } from "../support/test-stacks.ts";

const example = join(projectRoot, "examples/lammps-crack");
const scratch = mkdtempSync(join(tmpdir(), "conflux-lammps-test-"));
after(() => rmSync(scratch, { recursive: true, force: true }));
const environment = { [STACKS_VARIABLE]: testStacksDirectory() };
const ITERATIONS = 20;
const EVERY = 100;
const REPEAT = 5;

const mirror = unmet(DEBOOTSTRAP) === undefined ? await debianMirrorUnreachable() : undefined;
const options = skipBecause(mirror, needs(DEBOOTSTRAP, BUBBLEWRAP));

async function runToEnd(fixture: Fixture): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = "";
  fixture.child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  const { code } = await fixture.exited;
  return { code, stdout, stderr: fixture.stderr() };
}

// A cold build of the LAMMPS stack took 61 s here (800 MB, with MPI); the numpy 2 one is shared with
// conflicting-stacks, whose build this one waits for when it runs at the same time.
test("lammps-crack: both stacks build (or are reused from the suite's store)", {
  ...options,
  timeout: 900_000,
}, async (t) => {
  const started = Date.now();
  const builds = await Promise.all(
    [join(example, "lammps.stack.yaml"), join(projectRoot, "examples/conflicting-stacks/numpy2.stack.yaml")].map(
      (spec) => runToEnd(startCli(t, ["stack", "build", "--quiet", spec], environment)),
    ),
  );
  for (const build of builds) assert.equal(build.code, 0, build.stderr);
  assert.match(builds[0]?.stdout ?? "", /^stack lammps [0-9a-f]{12}: (built in [\d.]+ s|already built)/);
  assert.match(builds[1]?.stdout ?? "", /^stack numpy2 [0-9a-f]{12}: (built in [\d.]+ s|already built)/);
  t.diagnostic(`stacks ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

interface Analysed {
  step: number;
  bonds: number;
  broken: number;
  snapshot: number;
}

/** The reference counts [md] printed and the analysis's lines, by step. */
function parse(stderr: string): { reference: Map<number, number>; analysed: Analysed[]; done: RegExpExecArray | null } {
  const reference = new Map<number, number>();
  for (const match of stderr.matchAll(/^\[md\] step (\d+): (\d+) bonds by coord\/atom$/gm))
    reference.set(Number(match[1]), Number(match[2]));
  const analysed = [
    ...stderr.matchAll(
      /^\[bonds\] step (\d+): (\d+) bonds, (\d+) broken since step 0 \(snapshot (\d+), \d+ skipped so far\); lengths 0\.9-1\.5 in 12 bins:(?: \d+){12}$/gm,
    ),
  ].map((match) => ({
    step: Number(match[1]),
    bonds: Number(match[2]),
    broken: Number(match[3]),
    snapshot: Number(match[4]),
  }));
  return { reference, analysed, done: /^\[bonds\] done: analysed (\d+) snapshots, skipped (\d+)$/m.exec(stderr) };
}

function assertAgrees(stderr: string): void {
  const { reference, analysed, done } = parse(stderr);
  assert.equal(reference.size, ITERATIONS + 1, `LAMMPS counted bonds at ${reference.size} snapshots:\n${stderr}`);
  assert.ok(done, stderr);
  assert.equal(analysed.length, Number(done[1]));
  assert.equal(Number(done[1]) + Number(done[2]), ITERATIONS + 1, "analysed and skipped do not add up to 21");
  for (const line of analysed) {
    assert.equal(line.step, (line.snapshot - 1) * EVERY);
    assert.equal(line.bonds, reference.get(line.step), `step ${line.step}: the analysis and coord/atom disagree`);
  }
  const last = analysed.at(-1) as Analysed;
  assert.equal(last.step, ITERATIONS * EVERY, "the analysis did not get the last snapshot");
  const initial = reference.get(0) as number;
  assert.equal(initial, 24020, "in.crack's lattice has 24,020 bonds shorter than 1.5 outside the excluded types");
  assert.ok(last.broken >= initial - last.bonds && last.broken > 0, `${last.broken} bonds broken by step 2000`);
}

test(
  "lammps-crack: LAMMPS and the bond analysis in two stacks; every analysed step's bond count is coord/atom's",
  options,
  async (t) => {
    const run = await runToEnd(
      startCli(
        t,
        [
          "run",
          "--quiet",
          "--iterations",
          String(ITERATIONS),
          "--results",
          join(scratch, "runs"),
          join(example, "conflux.yaml"),
        ],
        environment,
      ),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      /^\[md\] LAMMPS \d{8} on .*: 8141 atoms; the deck runs \[5000\] steps, this run 100 a go$/m,
    );
    assert.match(run.stderr, /^\[bonds\] numpy 2\.\d+\.\d+ on Python 3\.1\d\.\d+; bonds shorter than 1\.5$/m);
    assert.doesNotMatch(run.stderr, /hwloc/);
    assertAgrees(run.stderr);
  },
);

test(
  "lammps-crack: conflux.lammps without numpy (LAMMPS's arrays through ctypes) gives the same counts",
  options,
  async (t) => {
    const composition = join(scratch, "no-numpy.yaml");
    writeFileSync(
      composition,
      readFileSync(join(example, "conflux.yaml"), "utf8")
        .replaceAll("[./", `[${example}/`)
        .replace('HWLOC_COMPONENTS: "-linux" }', 'HWLOC_COMPONENTS: "-linux", CONFLUX_NO_NUMPY: "1" }')
        .replace("# yaml-language-server: $schema=../../docs/composition.schema.json\n", ""),
    );
    assert.match(readFileSync(composition, "utf8"), /CONFLUX_NO_NUMPY/);
    const run = await runToEnd(
      startCli(
        t,
        ["run", "--quiet", "--iterations", String(ITERATIONS), "--results", join(scratch, "runs"), composition],
        environment,
      ),
    );
    assert.equal(run.code, 0, run.stderr);
    assertAgrees(run.stderr);
  },
);

test(
  "conflux bench lammps --json: LAMMPS alone, publishing, coupled in each of five rounds, with the slowdowns from their medians and what the analysis did",
  options,
  async (t) => {
    const bench = await runToEnd(
      startCli(t, ["bench", "lammps", "--json", "--repeat", String(REPEAT), "--iterations", "10"], environment),
    );
    assert.equal(bench.code, 0, bench.stderr);
    type Go = { n: number; mean_ms: number; sd_ms: number; p50_ms: number; p99_ms: number; max_ms: number };
    type Modes = { alone: Go; publishing: Go; coupled: Go };
    const result = JSON.parse(bench.stdout) as Modes & {
      atoms: number;
      steps_per_go: number;
      rounds: number;
      repeat: number;
      slowdown: { mean: number; p50: number };
      publishing_slowdown: { mean: number; p50: number };
      analysis: { published: number; analysed: number; skipped: number };
      spread: Record<keyof Modes, Record<Exclude<keyof Go, "n">, Spread>>;
      repetitions: Modes[];
    };
    assert.equal(result.atoms, 8141);
    assert.equal(result.steps_per_go, 100);
    assert.deepEqual([result.rounds, result.repeat, result.repetitions.length], [REPEAT, REPEAT, REPEAT]);
    for (const mode of ["alone", "publishing", "coupled"] as const) {
      assert.equal(result[mode].n, 9, `${mode}: the first go of a run (LAMMPS's setup) is left out`);
      const rounds = result.repetitions.map((round) => round[mode]);
      for (const round of rounds) assert.equal(round.n, 9, mode);
      assertRepeated(mode, result[mode], rounds, result.spread[mode], "p50_ms");
    }
    assert.ok(
      result.alone.p50_ms > 0 &&
        result.alone.p50_ms <= result.alone.p99_ms &&
        result.alone.p99_ms <= result.alone.max_ms,
    );
    const { spread } = result;
    assert.ok(
      Math.abs(result.slowdown.mean - (spread.coupled.mean_ms.median / spread.alone.mean_ms.median - 1)) < 1e-12,
    );
    assert.ok(Math.abs(result.slowdown.p50 - (spread.coupled.p50_ms.median / spread.alone.p50_ms.median - 1)) < 1e-12);
    assert.ok(
      Math.abs(result.publishing_slowdown.mean - (spread.publishing.mean_ms.median / spread.alone.mean_ms.median - 1)) <
        1e-12,
    );
    assert.equal(result.analysis.published, 11 * REPEAT);
    assert.equal(result.analysis.analysed + result.analysis.skipped, 11 * REPEAT);
  },
);
