import type { Command } from "commander";
import type { ImplicitCase } from "../bench/implicit/cases.ts";
import { describedCommand } from "./described-command.ts";
import { UsageError } from "./exit-codes.ts";
import { withBenchProgress } from "./task-progress.ts";
import { wholeNumberOption } from "./whole-number-option.ts";

export function registerBenchImplicit(bench: Command): void {
  describedCommand(bench, "implicit").action(
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
      process.stdout.write(options.json ? `${implicitBenchmarkJson(benchmark)}\n` : implicitBenchmarkTable(benchmark));
    },
  );
}
