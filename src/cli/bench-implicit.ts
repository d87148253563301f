import type { Command } from "commander";
import type { ImplicitCase } from "../bench/implicit/cases.ts";
import { UsageError } from "./exit-codes.ts";
import { withBenchProgress } from "./task-progress.ts";
import { wholeNumberOption } from "./whole-number-option.ts";

export function registerBenchImplicit(bench: Command): void {
  bench
    .command("implicit")
    .description(
      "the implicit examples (partitioned heat, elastic tube) with each acceleration: iterations per window, time per iteration and window, the driver's acceleration cost; both cases through preCICE beside when it is installed",
    )
    .option("--case <list>", "heat, tube, or both comma-separated", "heat,tube")
    .option(
      "--accelerations <list>",
      "variants to run (heat: constant, aitken, iqn-ils, iqn-ils-defaults, iqn-imvj; tube: constant, aitken, iqn-ils, iqn-imvj); all when absent",
    )
    .option("--no-precice", "do not run the cases through preCICE")
    .option(
      "--repeat <n>",
      "rounds of every run, interleaved (≥ 5; each run is shown by its median round, with the spread of the rounds)",
      "5",
    )
    .option(
      "--json",
      "print { runs: [ { case, acceleration, pair (heat: python-c or c-c), iterations, total, windows, not_converged, iteration, window, acceleration_cost, convergence_cost (each { n, mean_us, sd_us, p50_us, p99_us, max_us }), max_error (heat), wall_s, failure? (all of the median round), spread: { iteration, window, acceleration_cost, convergence_cost (each { mean_us, sd_us, p50_us, p99_us, max_us } as { median, min, max, n }), total, wall_s }, repetitions: [ every round's figures ] } ], precice: { version, skipped?, runs: [ { case (heat or tube), acceleration, iterations, total, ms_per_iteration, ms_per_window, warnings, max_error (heat), not_converged and non_finite_from? (tube), spread: { ms_per_iteration, ms_per_window }, repetitions } ] }, repeat, machine }",
    )
    .action(
      async (options: { case: string; accelerations?: string; precice: boolean; repeat: string; json?: boolean }) => {
        const repeat = wholeNumberOption("--repeat", options.repeat, 5);
        const cases = options.case.split(",").map((name) => name.trim());
        for (const name of cases)
          if (name !== "heat" && name !== "tube") throw new UsageError(`--case: "${name}" is not heat or tube`);
        const accelerations = options.accelerations?.split(",").map((name) => name.trim());
        const [{ runImplicitBenchmark }, { implicitBenchmarkJson, implicitBenchmarkTable }] = await Promise.all([
          import("../bench/implicit/implicit-benchmark.ts"),
          import("../bench/implicit/implicit-report.ts"),
        ]);
        const benchmark = await withBenchProgress(
          "bench implicit",
          (progress) =>
            runImplicitBenchmark({
              cases: cases as ImplicitCase[],
              ...(accelerations === undefined ? {} : { accelerations }),
              precice: options.precice,
              repeat,
              log: progress,
            }),
          (line) => line,
        );
        process.stdout.write(
          options.json ? `${implicitBenchmarkJson(benchmark)}\n` : implicitBenchmarkTable(benchmark),
        );
      },
    );
}
