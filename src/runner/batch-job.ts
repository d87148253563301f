// runner/ owns `conflux run` and `conflux submit`: from a composition file to a finished run and its record, on its nodes.
// It must not hold the driver's logic or the record's format: it joins compose/, coupling/ and record/.

// `conflux submit`: the Slurm batch script that runs a composition, written
// beside its results, and its submission with sbatch. The script asks for the
// composition's nodes (placement.nodes, or what the caller says) with one task
// each, runs `conflux run` on the first node in the composition's directory,
// and sends the job's output next to the script. It names this node binary and
// this package by absolute path: on a cluster, both must be where the compute
// nodes see them (a shared filesystem), as the composition and its files must.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Composition } from "../compose/load.ts";
import { packagePath } from "../platform/package-root.ts";

export interface BatchJobOptions {
  nodes: number;
  /** Slurm's --time (minutes, or [days-]hours:minutes:seconds); none: the partition's default. */
  time?: string;
  partition?: string;
  resultsDirectory: string;
}

export interface BatchJob {
  script: string;
  /** The job's output file, with %j for the job id. */
  output: string;
  text: string;
}

/** The form Slurm accepts for --time: "minutes", "minutes:seconds", "hours:minutes:seconds", with "days-" in front. */
const SLURM_TIME = /^(\d+-)?\d+(:\d{1,2}){0,2}$|^\d+-\d+$/;

export function isSlurmTime(text: string): boolean {
  return SLURM_TIME.test(text);
}

function quoted(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

/** The batch script for `composition`, to be written into its results directory (writeBatchJob). */
export function batchJob(composition: Composition, options: BatchJobOptions): BatchJob {
  const results = resolve(options.resultsDirectory);
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "").replace("T", "-");
  const script = join(results, `${composition.name}-${stamp}.sbatch`);
  const output = join(results, `${composition.name}-%j.out`);
  const lines = [
    "#!/bin/bash",
    `#SBATCH --job-name=${composition.name}`,
    `#SBATCH --nodes=${options.nodes}`,
    "#SBATCH --ntasks-per-node=1",
    ...(options.time === undefined ? [] : [`#SBATCH --time=${options.time}`]),
    ...(options.partition === undefined ? [] : [`#SBATCH --partition=${options.partition}`]),
    `#SBATCH --output=${output}`,
    `# Written by conflux submit for ${composition.source}.`,
    "set -euo pipefail",
    `cd ${quoted(dirname(composition.source))}`,
    `exec ${quoted(process.execPath)} ${quoted(packagePath("bin/conflux.js"))} run ${quoted(composition.source)} --results ${quoted(results)} --quiet`,
    "",
  ];
  return { script, output, text: lines.join("\n") };
}

export function writeBatchJob(job: BatchJob): void {
  mkdirSync(dirname(job.script), { recursive: true });
  writeFileSync(job.script, job.text, { mode: 0o755 });
}

export interface Submission {
  jobId: string;
  /** With wait: sbatch's exit status, which is the job's. */
  status: number;
  stderr: string;
}

/** Submits `job` with sbatch; with `wait`, returns when the job has ended. Throws when sbatch cannot be run. */
export function submitBatchJob(job: BatchJob, wait: boolean): Submission {
  const submitted = spawnSync("sbatch", [...(wait ? ["--wait"] : []), job.script], { encoding: "utf8" });
  if (submitted.error !== undefined) {
    throw new Error(
      `sbatch could not be run (${submitted.error.message}): submitting needs Slurm's client tools (Debian slurm-client) on PATH`,
    );
  }
  const jobId = /Submitted batch job (\d+)/.exec(submitted.stdout)?.[1];
  if (jobId === undefined) {
    throw new Error(`sbatch refused ${job.script} (exit ${submitted.status}): ${submitted.stderr.trim()}`);
  }
  return { jobId, status: submitted.status ?? 1, stderr: submitted.stderr };
}
