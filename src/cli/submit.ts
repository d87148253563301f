import type { Command } from "commander";
import type { loadComposition } from "../compose/load.ts";
import { ExitCode } from "./exit-codes.ts";

interface SubmitOptions {
  nodes?: string;
  time?: string;
  partition?: string;
  results?: string;
  wait?: boolean;
  print?: boolean;
}

export function registerSubmit(program: Command): void {
  program
    .command("submit")
    .description("write the Slurm batch script that runs a composition, submit it with sbatch, and print the job id")
    .argument("<file>", "the composition file (YAML)")
    .option("--nodes <n>", "nodes to allocate (default: the composition's placement.nodes, else 1)")
    .option("--time <limit>", "the job's time limit, as Slurm takes it (minutes, or [days-]hours:minutes:seconds)")
    .option("--partition <name>", "the Slurm partition")
    .option("--results <dir>", "where the run record, the script and the job's output go (default: the composition's)")
    .option("--wait", "return when the job has ended, with its exit status")
    .option("--print", "print the script and submit nothing")
    .addHelpText(
      "after",
      "\nThe script runs `conflux run FILE` on the first node. Exit codes: 0 submitted (with --wait: the job completed), 1 sbatch failed or the job failed, 2 invalid composition or option.",
    )
    .action(async (file: string, options: SubmitOptions) => {
      const [{ loadComposition }, { CompositionError }, { batchJob, isSlurmTime, submitBatchJob, writeBatchJob }] =
        await Promise.all([
          import("../compose/load.ts"),
          import("../compose/problem.ts"),
          import("../runner/batch-job.ts"),
        ]);
      const usage = (message: string) => {
        process.stderr.write(`conflux submit: ${message}\n`);
        process.exitCode = ExitCode.usage;
      };
      let composition: ReturnType<typeof loadComposition>;
      try {
        composition = loadComposition(file, { checkFiles: true });
      } catch (error) {
        if (error instanceof CompositionError) return usage(error.message);
        throw error;
      }
      const nodes = options.nodes === undefined ? (composition.placement?.nodes ?? 1) : Number(options.nodes);
      if (!Number.isInteger(nodes) || nodes < 1)
        return usage(`--nodes ${options.nodes}: give a whole number of at least 1`);
      const placed = composition.placement?.nodes ?? 1;
      if (nodes < placed)
        return usage(`--nodes ${nodes}: ${file} spans ${placed} nodes (placement.nodes); ask for at least that many`);
      if (options.time !== undefined && !isSlurmTime(options.time)) {
        return usage(
          `--time ${options.time}: give minutes, or [days-]hours:minutes:seconds, as sbatch takes it (e.g. 30, 2:00:00, 1-0)`,
        );
      }
      const job = batchJob(composition, {
        nodes,
        ...(options.time === undefined ? {} : { time: options.time }),
        ...(options.partition === undefined ? {} : { partition: options.partition }),
        resultsDirectory: options.results ?? composition.results.directory,
      });
      if (options.print) {
        process.stdout.write(job.text);
        return;
      }
      writeBatchJob(job);
      let submitted: ReturnType<typeof submitBatchJob>;
      try {
        submitted = submitBatchJob(job, options.wait === true);
      } catch (error) {
        process.stderr.write(`conflux submit: ${(error as Error).message}\n`);
        process.exitCode = ExitCode.failure;
        return;
      }
      const output = job.output.replace("%j", submitted.jobId);
      process.stdout.write(`${submitted.jobId}\n`);
      process.stderr.write(`submitted job ${submitted.jobId}: script ${job.script}, output ${output}\n`);
      if (options.wait && submitted.status !== 0) {
        process.stderr.write(
          `conflux submit: job ${submitted.jobId} failed (exit ${submitted.status}); see ${output}\n`,
        );
        process.exitCode = ExitCode.failure;
      }
    });
}
