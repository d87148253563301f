// `conflux repro verify|export`: replay a recorded run and compare, or write it
// out as a Workflow Run RO-Crate. The work is in src/repro; this parses
// options, prints and sets the exit code.
import { join, resolve } from "node:path";
import type { Command } from "commander";
import type { Verification } from "../repro/verify/run-verification.ts";
import { ExitCode, UsageError } from "./exit-codes.ts";

export function registerRepro(program: Command): void {
  const repro = program.command("repro").description("check and share run records: replay and compare, export");

  repro
    .command("verify")
    .description(
      "replay a recorded run from its record and compare every output with the recorded one (bitwise, or within the tolerance the composition declares), naming what differs in the environment",
    )
    .argument("<run-dir|bundle>", "a directory `conflux run` wrote, or a bundle (app.cfx) to replay its run from")
    .option("--record <run-dir>", "with a bundle: the run to compare with, when it is not the one the bundle carries")
    .option("--results <dir>", "write the replay's record here instead of beside the original")
    .option("--quiet", "no progress, no component output: only the report")
    .addHelpText(
      "after",
      `
The replay's own record (with the comparison in it) is kept beside the original.
A bundle is replayed from its own files alone (its stacks installed, no sources needed): against the
record it carries (conflux pack --record RUN_DIR), or the one --record names; the replay's record goes
where a run of the bundle writes.
Exit codes:
  0  reproduced: every output matches
  1  not reproduced: an output differs, the replay failed, or the record's files no longer match its hashes
  2  not a run record, a run that did not complete, or a bad option
  3  the replay cannot start: a module, program or other input it needs is missing`,
    )
    .action(async (target: string, options: { results?: string; quiet?: boolean; record?: string }) => {
      const [{ CompositionError }, { RunRecordError }, { NotVerifiableError, verifyRun }, { verificationReport }] =
        await Promise.all([
          import("../compose/problem.ts"),
          import("../record/run-record.ts"),
          import("../repro/verify/run-verification.ts"),
          import("../repro/verify/verification-report.ts"),
        ]);
      const { createProgress } = await import("./progress.ts");
      const progress = options.quiet ? undefined : createProgress("replay");
      let verification: Verification;
      try {
        const { directory, bundle } = await verificationTarget(target, options.record);
        // From a bundle, the replay's record goes where `conflux run app.cfx` puts a run's.
        if (bundle !== undefined) options.results ??= resolve("conflux-runs");
        verification = await verifyRun(directory, {
          ...(bundle === undefined ? {} : { bundle }),
          ...(options.results === undefined ? {} : { resultsDirectory: options.results }),
          ...(progress === undefined ? {} : { onIteration: (done, planned) => progress.update(done, planned) }),
          ...(options.quiet ? { output: null } : {}),
        });
      } catch (error) {
        progress?.finish();
        if (error instanceof CompositionError) {
          process.stderr.write(`conflux repro verify: the replay cannot start:\n${error.message}\n`);
          process.exitCode = ExitCode.missingRequirement;
          return;
        }
        if (error instanceof NotVerifiableError) throw new UsageError(error.message);
        throw asUsage(error, RunRecordError);
      }
      progress?.finish();
      process.stdout.write(verificationReport(verification));
      const reproduced = verification.kind === "replayed" && verification.outcome === "reproduced";
      process.exitCode = reproduced ? ExitCode.ok : ExitCode.failure;
    });

  repro
    .command("export")
    .description(
      "write a run record out as a Workflow Run RO-Crate (ro-crate-metadata.json, profile 0.5) with its files",
    )
    .argument("<run-dir|bundle>", "a directory `conflux run` wrote, or a bundle (app.cfx) to replay its run from")
    .option("--record <run-dir>", "with a bundle: the run to compare with, when it is not the one the bundle carries")
    .option("--out <dir>", "the crate directory, new or empty (default: <run-dir>-ro-crate)")
    .option("--agent <who>", "who ran it: an ORCID or other URL, or a name (default: the account that ran it)")
    .option("--license <id>", "the licence of the crate's content: an SPDX identifier (e.g. CC-BY-4.0) or a URL")
    .addHelpText(
      "after",
      `
Exit codes:
  0  written (inputs that changed since the run are referenced, not copied, with a warning)
  1  the record's files no longer match its hashes: nothing written
  2  not a run record, or --out is not empty`,
    )
    .action(async (directory: string, options: { out?: string; agent?: string; license?: string }) => {
      const [{ RunRecordError }, { AlteredRecordError, CrateTargetError, exportCrate }] = await Promise.all([
        import("../record/run-record.ts"),
        import("../repro/export/crate-export.ts"),
      ]);
      let result: ReturnType<typeof exportCrate>;
      try {
        result = exportCrate(directory, options);
      } catch (error) {
        if (error instanceof AlteredRecordError) {
          process.stderr.write(`conflux repro export: ${error.message}\n`);
          process.exitCode = ExitCode.failure;
          return;
        }
        if (error instanceof CrateTargetError) throw new UsageError(error.message);
        throw asUsage(error, RunRecordError);
      }
      for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
      process.stdout.write(`Workflow Run RO-Crate with ${result.files} files: ${result.directory}\n`);
    });
}

/** A record that cannot be read is bad input (exit 2); anything else is a failure of the command. */
function asUsage(error: unknown, RunRecordError: new (...args: never[]) => Error): unknown {
  return error instanceof RunRecordError ? new UsageError(error.message) : error;
}

/**
 * What `repro verify` replays: a run directory as it is, or a bundle's run (the record it carries, or
 * `record`) from the bundle unpacked and its stacks installed, as `conflux run app.cfx` does.
 */
async function verificationTarget(
  target: string,
  record: string | undefined,
): Promise<{ directory: string; bundle?: { composition: string; carried: ReadonlySet<string> } }> {
  const { looksLikeBundle, prepareBundleRun, BundleError } = await import("../bundle/index.ts");
  if (!looksLikeBundle(target)) {
    if (record !== undefined)
      throw new UsageError(`--record ${record}: only with a bundle; ${target} is a run directory`);
    return { directory: target };
  }
  try {
    const prepared = await prepareBundleRun(target);
    const carried = new Set(prepared.manifest.files.map((file) => file.sha256));
    const directory =
      record ??
      (prepared.manifest.record === undefined ? undefined : join(prepared.directory, prepared.manifest.record));
    if (directory === undefined) {
      throw new UsageError(
        `${target} carries no run to compare with: give one with --record RUN_DIR, or pack the bundle with --record RUN_DIR`,
      );
    }
    return { directory, bundle: { composition: prepared.composition, carried } };
  } catch (error) {
    if (error instanceof BundleError) throw new UsageError(`${target}: ${error.message}`);
    throw error;
  }
}
