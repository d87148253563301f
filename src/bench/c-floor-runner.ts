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

/**
 * The coupling floor compiled once, for a bench that runs it between its other
 * columns, repetition after repetition; `remove()` deletes the program. A
 * string says why there is none.
 */
export function couplingFloorProgram(): CouplingFloorProgram | string {
  return FloorProgram.build(COUPLING_FLOOR, "the C coupling floor");
}

export interface CouplingFloorProgram {
  /** `windows` windows of `points` points after `warmup` more; the measured windows in ns. */
  measure(points: number, windows: number, warmup: number): FloorResult;
  remove(): void;
}

class FloorProgram {
  private constructor(
    private readonly directory: string,
    private readonly binary: string,
    private readonly what: string,
  ) {}

  static build(source: string, what: string): FloorProgram | string {
    const compiler = compilerCommand();
    if (compiler === undefined) return "no C compiler (install gcc: apt-get install -y gcc)";
    const directory = mkdtempSync(join(tmpdir(), "conflux-floor-"));
    const binary = join(directory, "floor");
    const build = spawnSync(compiler, ["-O2", "-o", binary, source, "-lm"], { encoding: "utf8" });
    if (build.status !== 0) {
      rmSync(directory, { recursive: true, force: true });
      return `${what} did not compile: ${build.stderr.trim()}`;
    }
    return new FloorProgram(directory, binary, what);
  }

  /** Runs it; it prints "n mean sd p50 p99 max" in nanoseconds. */
  run(args: string[]): FloorResult {
    const run = spawnSync(this.binary, args, { encoding: "utf8", timeout: 120_000 });
    if (run.status !== 0) return { skipped: `${this.what} failed: ${run.stderr.trim() || `exit ${run.status}`}` };
    const [n, mean, sd, p50, p99, max] = run.stdout.trim().split(/\s+/).map(Number);
    return { distribution: { n: n ?? 0, mean: mean ?? 0, sd: sd ?? 0, p50: p50 ?? 0, p99: p99 ?? 0, max: max ?? 0 } };
  }

  measure(points: number, windows: number, warmup: number): FloorResult {
    return this.run([String(points), String(windows), String(warmup)]);
  }

  remove(): void {
    rmSync(this.directory, { recursive: true, force: true });
  }
}

/** Compiles a floor program, runs it once and removes it. */
function runFloor(source: string, what: string, args: string[]): FloorResult {
  const program = FloorProgram.build(source, what);
  if (typeof program === "string") return { skipped: program };
  try {
    return program.run(args);
  } finally {
    program.remove();
  }
}
