import type { Command } from "commander";
import { packagePath } from "../platform/package-root.ts";
import { resolveStack } from "../stack/stack-store.ts";
import { ExitCode } from "./exit-codes.ts";
import { withBenchProgress } from "./task-progress.ts";
import { wholeNumberOption } from "./whole-number-option.ts";

/** The stacks the example runs on, or why not: they are built by hand once (debootstrap, as root). */
function stackRoots(): { lammpsRoot: string; numpyRoot: string } | string {
  const missing: string[] = [];
  const roots = [
    ["lammps", "examples/lammps-crack/lammps.stack.yaml"],
    ["numpy2", "examples/conflicting-stacks/numpy2.stack.yaml"],
  ].map(([name, spec]) => {
    const stack = resolveStack(name as string);
    if (stack.hash === undefined) missing.push(`conflux stack build ${packagePath(spec as string)}`);
    return stack.rootfs;
  });
  if (missing.length > 0)
    return `the LAMMPS bench runs on two stacks that are not built; build them (as root):\n  ${missing.join("\n  ")}`;
  return { lammpsRoot: roots[0] as string, numpyRoot: roots[1] as string };
}

export function registerBenchLammps(bench: Command): void {
  bench
    .command("lammps")
    .description(
      "LAMMPS's crack example alone and coupled (publishing snapshots to the bond analysis, which runs free): the slowdown of a go",
    )
    .option(
      "--repeat <n>",
      "rounds of one run alone, one publishing snapshots nobody reads, one coupled, interleaved (≥ 5; each shown by its median round)",
      "5",
    )
    .option("--iterations <n>", "goes per run", "50")
    .option("--every <n>", "MD steps per go (one snapshot each)", "100")
    .option(
      "--json",
      "print { atoms, steps_per_go, rounds, repeat (both the rounds), alone: { n, mean_ms, sd_ms, p50_ms, p99_ms, max_ms } (the median round's), publishing: { … }, coupled: { … }, slowdown: { mean, p50 }, publishing_slowdown: { mean, p50 } (from the rounds' medians), analysis: { published, analysed, skipped }, spread: { alone, publishing, coupled (each { mean_ms, sd_ms, p50_ms, p99_ms, max_ms } as { median, min, max, n }) }, repetitions: [ { alone, publishing, coupled } ], machine }",
    )
    .action(async (options: { repeat: string; iterations: string; every: string; json?: boolean }) => {
      const repeat = wholeNumberOption("--repeat", options.repeat, 5);
      const iterations = wholeNumberOption("--iterations", options.iterations);
      const every = wholeNumberOption("--every", options.every);
      const roots = stackRoots();
      if (typeof roots === "string") {
        process.stderr.write(`conflux bench lammps: ${roots}\n`);
        process.exitCode = ExitCode.missingRequirement;
        return;
      }
      const { lammpsBenchmarkJson, lammpsBenchmarkTable, runLammpsBenchmark } = await import("../bench/lammps.ts");
      const result = await withBenchProgress("bench lammps", (progress) =>
        runLammpsBenchmark({
          ...roots,
          repeat,
          iterations,
          every,
          progress,
        }),
      );
      process.stdout.write(options.json ? `${lammpsBenchmarkJson(result)}\n` : lammpsBenchmarkTable(result));
    });
}
