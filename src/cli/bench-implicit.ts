import type { Command } from "commander";
import type { ImplicitCase } from "../bench/implicit/cases.ts";
import { runImplicitBenchmark } from "../bench/implicit/implicit-benchmark.ts";
import { implicitBenchmarkJson, implicitBenchmarkTable } from "../bench/implicit/implicit-report.ts";
import { UsageError } from "./exit-codes.ts";

export function registerBenchImplicit(bench: Command): void {
  bench
    .command("implicit")
    .description(
      "the implicit examples (partitioned heat, elastic tube) with each acceleration: iterations per window, time per iteration and window, the driver's acceleration cost; the heat case through preCICE beside when it is installed",
    )
    .option("--case <list>", "heat, tube, or both comma-separated", "heat,tube")
    .option(
      "--accelerations <list>",
      "variants to run (heat: constant, aitken, iqn-ils, iqn-ils-defaults, iqn-imvj; tube: aitken, iqn-ils, iqn-imvj); all when absent",
    )
    .option("--no-precice", "do not run the heat case through preCICE")
    .option(
      "--json",
      "print { runs: [ { case, acceleration, iterations, total, windows, not_converged, iteration, window, acceleration_cost, convergence_cost (each { n, mean_us, sd_us, p50_us, p99_us, max_us }), max_error, wall_s } ], precice: { version, runs: [ { case, acceleration, iterations, total, ms_per_iteration, ms_per_window, max_error, warnings } ] | skipped } }",
    )
    .action(async (options: { case: string; accelerations?: string; precice: boolean; json?: boolean }) => {
      const cases = options.case.split(",").map((name) => name.trim());
      for (const name of cases)
        if (name !== "heat" && name !== "tube") throw new UsageError(`--case: "${name}" is not heat or tube`);
      const accelerations = options.accelerations?.split(",").map((name) => name.trim());
      const benchmark = await runImplicitBenchmark({
        cases: cases as ImplicitCase[],
        ...(accelerations === undefined ? {} : { accelerations }),
        precice: options.precice,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      process.stdout.write(options.json ? `${implicitBenchmarkJson(benchmark)}\n` : implicitBenchmarkTable(benchmark));
    });
}
