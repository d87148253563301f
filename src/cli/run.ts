import { resolve } from "node:path";
import type { Command } from "commander";
import type { runComposition } from "../runner/run-composition.ts";
import { ExitCode } from "./exit-codes.ts";

export function registerRun(program: Command): void {
  program
    .command("run")
    .description("run a composition: launch its components in their enclaves, couple them, and leave a run record")
    .argument("<file>", "the composition file (YAML), or a bundle `conflux pack` wrote (app.cfx)")
    .option("--iterations <n>", "override the composition's iteration count")
    .option("--results <dir>", "write the run record here instead of the composition's results directory")
    .option("--quiet", "no progress, no summary: only errors")
    .addHelpText(
      "after",
      "\nExit codes: 0 completed, 1 a component or the run failed (the message names it), 2 invalid composition or option, 130 interrupted.",
    )
    .action(async (given: string, options: { iterations?: string; results?: string; quiet?: boolean }) => {
      let file = given;
      const { BundleError, looksLikeBundle, prepareBundleRun } = await import("../bundle/index.ts");
      if (looksLikeBundle(given)) {
        // A bundle runs from a private unpacked copy; its record goes where the command was started, not into that copy.
        try {
          const prepared = await prepareBundleRun(given);
          file = prepared.composition;
          options.results ??= resolve("conflux-runs");
          if (!options.quiet) {
            const stacks = prepared.stacks.map(
              (stack) => `${stack.name} (${stack.installed ? "installed" : "already stored"})`,
            );
            process.stderr.write(
              `${given}: every hash checked, unpacked to ${prepared.directory}${stacks.length === 0 ? "" : `; stacks ${stacks.join(", ")}`}\n`,
            );
          }
        } catch (error) {
          if (!(error instanceof BundleError)) throw error;
          process.stderr.write(`conflux run: ${error.message}\n`);
          process.exitCode = ExitCode.usage;
          return;
        }
      }
      let iterations: number | undefined;
      if (options.iterations !== undefined) {
        iterations = Number(options.iterations);
        if (!Number.isInteger(iterations) || iterations < 1) {
          process.stderr.write(`conflux run: --iterations ${options.iterations}: give a whole number of at least 1\n`);
          process.exitCode = ExitCode.usage;
          return;
        }
      }
      const [{ loadComposition }, { CompositionError }, { runSummary }, runner] = await Promise.all([
        import("../compose/load.ts"),
        import("../compose/problem.ts"),
        import("../record/run-summary.ts"),
        import("../runner/run-composition.ts"),
      ]);
      const [{ createProgress }, { runStackBuildSink }, { createTaskProgress }] = await Promise.all([
        import("./progress.ts"),
        import("./stack-build-progress.ts"),
        import("./task-progress.ts"),
      ]);
      const timed = isTimeRun(file, loadComposition);
      if (iterations !== undefined && timed) {
        process.stderr.write(
          `conflux run: --iterations ${options.iterations}: ${file} couples in physical time (coupling.window); its windows are set by max_time or windows, not by --iterations\n`,
        );
        process.exitCode = ExitCode.usage;
        return;
      }
      const progress = options.quiet
        ? undefined
        : createProgress(file, process.stderr, timed ? "windows" : "iterations");
      let outcome: Awaited<ReturnType<typeof runComposition>>;
      try {
        outcome = await runner.runComposition(file, {
          ...(iterations === undefined ? {} : { iterations }),
          ...(options.results === undefined ? {} : { resultsDirectory: options.results }),
          ...(progress === undefined ? {} : { onIteration: (done, planned) => progress.update(done, planned) }),
          ...(options.quiet ? {} : { stackBuilds: runStackBuildSink() }),
          // A VM image is built before its component starts, only when it is not stored: its work (how many of
          // the three steps depends on what the cache has) is counted, on stderr as a stack build's is.
          ...(options.quiet
            ? {}
            : { imageProgress: (component: string) => createTaskProgress(`vm image for ${component}`) }),
        });
      } catch (error) {
        progress?.finish();
        if (error instanceof CompositionError) {
          process.stderr.write(`${error.message}\n`);
          process.exitCode = ExitCode.usage;
          return;
        }
        throw error;
      }
      progress?.finish();
      if (outcome.failure !== undefined) {
        process.stderr.write(`conflux run: ${outcome.failure.message}\n`);
        process.stderr.write(
          `results of the ${outcome.record.iterations.completed} completed ${outcome.record.time === undefined ? "iterations" : "windows"}: ${outcome.directory}\n`,
        );
        process.exitCode = outcome.record.status === "interrupted" ? 130 : ExitCode.failure;
        return;
      }
      if (!options.quiet) process.stdout.write(runSummary(outcome.record, outcome.directory));
    });
}

/** Whether the composition couples in physical time; an invalid one is left for the run to report. */
function isTimeRun(file: string, loadComposition: typeof import("../compose/load.ts").loadComposition): boolean {
  try {
    return loadComposition(file, { checkFiles: false }).coupling.window !== undefined;
  } catch {
    return false;
  }
}
