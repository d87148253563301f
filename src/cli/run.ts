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
    .option(
      "--view",
      "serve a live view of the run on 127.0.0.1 while it goes (the composition drawn, progress, timing histograms, convergence, the meshes coloured by a field); prints its address",
    )
    .option("--view-port <port>", "the live view's port (0: a free one)", "0")
    .addHelpText(
      "after",
      "\nExit codes: 0 completed, 1 a component or the run failed (the message names it), 2 invalid composition or option, 130 interrupted.",
    )
    .action(
      async (
        given: string,
        options: { iterations?: string; results?: string; quiet?: boolean; view?: boolean; viewPort: string },
      ) => {
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
            process.stderr.write(
              `conflux run: --iterations ${options.iterations}: give a whole number of at least 1\n`,
            );
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
        const viewPort = options.view ? viewPortOption(options.viewPort) : undefined;
        if (viewPort === null) return;
        const live = viewPort === undefined ? undefined : await startLiveView(file, viewPort);
        if (live === null) return;
        const progress = options.quiet
          ? undefined
          : createProgress(file, process.stderr, timed ? "windows" : "iterations");
        const onIteration =
          progress === undefined && live === undefined
            ? undefined
            : (done: number, planned: number) => {
                progress?.update(done, planned);
                live?.tick(done, planned);
              };
        let outcome: Awaited<ReturnType<typeof runComposition>>;
        try {
          outcome = await runner.runComposition(file, {
            ...(iterations === undefined ? {} : { iterations }),
            ...(options.results === undefined ? {} : { resultsDirectory: options.results }),
            ...(onIteration === undefined ? {} : { onIteration }),
            ...(live === undefined ? {} : { watch: live.watch }),
            ...(options.quiet ? {} : { stackBuilds: runStackBuildSink() }),
            // A VM image is built before its component starts, only when it is not stored: its work (how many of
            // the three steps depends on what the cache has) is counted, on stderr as a stack build's is.
            ...(options.quiet
              ? {}
              : { imageProgress: (component: string) => createTaskProgress(`vm image for ${component}`) }),
          });
        } catch (error) {
          progress?.finish();
          await live?.close(undefined);
          if (error instanceof CompositionError) {
            process.stderr.write(`${error.message}\n`);
            process.exitCode = ExitCode.usage;
            return;
          }
          throw error;
        }
        progress?.finish();
        if (live !== undefined) {
          await live.close(outcome.directory);
          process.stderr.write(`view: the run is over; conflux view ${outcome.directory} shows it again\n`);
        }
        if (outcome.failure !== undefined) {
          process.stderr.write(`conflux run: ${outcome.failure.message}\n`);
          process.stderr.write(
            `results of the ${outcome.record.iterations.completed} completed ${outcome.record.time === undefined ? "iterations" : "windows"}: ${outcome.directory}\n`,
          );
          process.exitCode = outcome.record.status === "interrupted" ? 130 : ExitCode.failure;
          return;
        }
        if (!options.quiet) process.stdout.write(runSummary(outcome.record, outcome.directory));
      },
    );
}

/** --view-port as a port number, or null after saying what is wrong. */
function viewPortOption(text: string): number | null {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) {
    process.stderr.write(`conflux run: --view-port ${text}: give a port from 0 to 65535 (0: a free one)\n`);
    process.exitCode = ExitCode.usage;
    return null;
  }
  return port;
}

/**
 * The live view, serving before the run starts; undefined when the composition cannot even be read (the run
 * then says why), null after a view that could not start was reported.
 */
async function startLiveView(
  file: string,
  port: number,
): Promise<import("../view/index.ts").LiveView | null | undefined> {
  const [{ LiveView, liveRunFacts, ViewServerError }, { CompositionError }] = await Promise.all([
    import("../view/index.ts"),
    import("../compose/problem.ts"),
  ]);
  let facts: Awaited<ReturnType<typeof liveRunFacts>>;
  try {
    facts = await liveRunFacts(file, process.argv.slice(1));
  } catch (error) {
    if (error instanceof CompositionError) return undefined;
    throw error;
  }
  try {
    const view = await LiveView.start(facts, port);
    process.stderr.write(`view: ${view.url}\n`);
    return view;
  } catch (error) {
    if (!(error instanceof ViewServerError)) throw error;
    process.stderr.write(`conflux run --view: ${error.message}\n`);
    process.exitCode = ExitCode.usage;
    return null;
  }
}

/** Whether the composition couples in physical time; an invalid one is left for the run to report. */
function isTimeRun(file: string, loadComposition: typeof import("../compose/load.ts").loadComposition): boolean {
  try {
    return loadComposition(file, { checkFiles: false }).coupling.window !== undefined;
  } catch {
    return false;
  }
}
