// Compiles and runs the C floors in c/ — the cache-line ping-pong (c-floor.c) and a
// coupling window's bare data movement (coupling-floor.c) — in the same
// benchmark run as the conflux figures, so both come from one machine state.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compilerCommand } from "../platform/c-compiler.ts";
import type { Distribution } from "../stats/distribution.ts";

const QUEUE_FLOOR = fileURLToPath(new URL("./c/c-floor.c", import.meta.url));
const COUPLING_FLOOR = fileURLToPath(new URL("./c/coupling-floor.c", import.meta.url));

export interface FloorResult {
  /** The floor's distribution in nanoseconds. */
  distribution?: Distribution;
  /** Why there is none (no C compiler, a failed build or run). */
  skipped?: string;
}

/** The queue floor: a cache-line ping-pong between two processes; round trips in ns. */
export function measureCFloor(iterations: number): FloorResult {
  return runFloor(QUEUE_FLOOR, "the C floor", [String(iterations)]);
}

/** The coupling floor: a nearest-neighbour window's data movement between three processes; windows in ns. */
export function measureCouplingFloor(points: number, windows: number): FloorResult {
  return runFloor(COUPLING_FLOOR, "the C coupling floor", [String(points), String(windows)]);
}

/** Compiles a floor program and runs it; it prints "n mean sd p50 p99 max" in nanoseconds. */
function runFloor(source: string, what: string, args: string[]): FloorResult {
  const compiler = compilerCommand();
  if (compiler === undefined) return { skipped: "no C compiler (install gcc: apt-get install -y gcc)" };
  const directory = mkdtempSync(join(tmpdir(), "conflux-floor-"));
  try {
    const binary = join(directory, "floor");
    const build = spawnSync(compiler, ["-O2", "-o", binary, source, "-lm"], { encoding: "utf8" });
    if (build.status !== 0) return { skipped: `${what} did not compile: ${build.stderr.trim()}` };
    const run = spawnSync(binary, args, { encoding: "utf8", timeout: 120_000 });
    if (run.status !== 0) return { skipped: `${what} failed: ${run.stderr.trim() || `exit ${run.status}`}` };
    const [n, mean, sd, p50, p99, max] = run.stdout.trim().split(/\s+/).map(Number);
    return { distribution: { n: n ?? 0, mean: mean ?? 0, sd: sd ?? 0, p50: p50 ?? 0, p99: p99 ?? 0, max: max ?? 0 } };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
