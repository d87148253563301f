// Compiles and runs the C cache-line ping-pong (c-floor.c) in this benchmark
// run, so the floor and the conflux figures come from the same machine state.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Distribution } from "./distribution.ts";

const SOURCE = fileURLToPath(new URL("./c-floor.c", import.meta.url));

export function compilerCommand(): string | undefined {
  for (const compiler of [process.env.CC, "cc", "gcc", "clang"]) {
    if (compiler && spawnSync(compiler, ["--version"], { stdio: "ignore" }).status === 0) return compiler;
  }
  return undefined;
}

/** The floor's round-trip distribution in nanoseconds; undefined (with the reason) when no C compiler is there. */
export function measureCFloor(iterations: number): { distribution?: Distribution; skipped?: string } {
  const compiler = compilerCommand();
  if (compiler === undefined) return { skipped: "no C compiler (install gcc: apt-get install -y gcc)" };
  const directory = mkdtempSync(join(tmpdir(), "conflux-floor-"));
  try {
    const binary = join(directory, "c-floor");
    const build = spawnSync(compiler, ["-O2", "-o", binary, SOURCE, "-lm"], { encoding: "utf8" });
    if (build.status !== 0) return { skipped: `the C floor did not compile: ${build.stderr.trim()}` };
    const run = spawnSync(binary, [String(iterations)], { encoding: "utf8", timeout: 120_000 });
    if (run.status !== 0) return { skipped: `the C floor failed: ${run.stderr.trim() || `exit ${run.status}`}` };
    const [n, mean, sd, p50, p99, max] = run.stdout.trim().split(/\s+/).map(Number);
    return { distribution: { n: n ?? 0, mean: mean ?? 0, sd: sd ?? 0, p50: p50 ?? 0, p99: p99 ?? 0, max: max ?? 0 } };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
