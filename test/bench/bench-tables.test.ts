// scripts/bench-tables.mjs writes the README's tables from one sitting of
// scripts/bench-all.sh: each figure as the bench's median [min–max], the run's
// date and load beside it, and a bench that gave nothing said to be missing
// with its last line of error, never filled in from elsewhere.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { projectRoot } from "../support/child-process.ts";
import { scratchDirectory } from "../support/cli-scratch.ts";

const SCRIPT = join(projectRoot, "scripts", "bench-tables.mjs");

function tables(directory: string): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [SCRIPT, directory], { encoding: "utf8", timeout: 30_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const spreadNs = (median: number, min: number, max: number) => ({ median, min, max, n: 5 });

test("a bench's figures become its table with the run's load, ratios from its medians; missing and broken benches are named", (t) => {
  const directory = scratchDirectory(t);
  writeFileSync(join(directory, "machine.txt"), "started 2026-12-04T10:00:00Z\ncpus 2\n");
  const row = (transport: string, p50: number, min: number, max: number) => ({
    transport,
    mode: transport === "c-floor" ? "none" : "spin",
    between: "process",
    load: "idle",
    n: 1000,
    p50_ns: p50,
    p99_ns: p50 * 2,
    repetitions: { p50_ns: spreadNs(p50, min, max), p99_ns: spreadNs(p50 * 2, min * 2, max * 2) },
  });
  writeFileSync(
    join(directory, "queue.json"),
    JSON.stringify({
      results: [row("c-floor", 150, 140, 160), row("conflux", 300, 280, 450), row("conflux-c", 240, 230, 260)],
      throughput: [
        { transport: "conflux", mode: "spin", between: "process", messages_per_s: 14_300_000, repetitions: {} },
      ],
      repeat: 5,
      machine: { cpus: 2, load_before: 0.3, load_after: 0.4, load_max: 0.5, started: "2026-12-04T10:01:00.000Z" },
    }),
  );
  writeFileSync(join(directory, "seed.json"), "");
  writeFileSync(join(directory, "seed.err"), "progress…\nbench seed: crun is not installed\n");
  writeFileSync(join(directory, "cli.json"), "{ not json");

  const result = tables(directory);
  assert.equal(result.code, 0, result.stderr);
  const out = result.stdout;
  assert.match(out, /^started 2026-12-04T10:00:00Z/);
  assert.match(
    out,
    /\*\*bench queue\*\* \(2026-12-04 10:01 UTC, 2 CPUs, load 0\.3 at the start, 0\.4 at the end, 0\.5 at most\)/,
  );
  assert.match(out, /\| conflux \| spin \| process \| idle \| 0\.30 \[0\.28–0\.45\] \| 0\.60 \[0\.56–0\.90\] \|/);
  assert.match(out, /Spin ÷ the C floor 2\.00× \(target 1\.3×\), the C client 1\.60×/);
  assert.match(out, /conflux spin process 14\.3 M\/s/);
  assert.match(out, /\*\*bench seed\*\*: bench seed gave no figures \(bench seed: crun is not installed\)\./);
  assert.match(out, /\*\*bench cli\*\*: bench cli wrote .*cli\.json, which is not JSON/);
  assert.match(out, /\*\*bench map --scale\*\*: bench map-scale gave no figures \(not run\)\./);
});

test("a directory that bench-all did not write is refused with the usage", (t) => {
  const result = tables(scratchDirectory(t));
  assert.equal(result.code, 2);
  assert.match(result.stderr, /usage: node scripts\/bench-tables\.mjs DIR/);
});
