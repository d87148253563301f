// `conflux bench cli`: how long a command takes to start and finish, as a user
// feels it: `conflux --help` and `conflux validate` on the seed example, from
// the built command line (what bin/conflux.js runs) and from its TypeScript
// sources through the loader (what it ran before there was a build), beside a
// node that does nothing: the floor no command can go under. Rounds run the
// cases interleaved, so that drift on the machine falls on all of them.
import { spawnSync } from "node:child_process";
import { bundleStale } from "../../scripts/bundle-freshness.mjs";
import { PACKAGE_ROOT, packagePath } from "../platform/package-root.ts";
import { type Distribution, summarize } from "../stats/distribution.ts";
import { type MachineDuring, MachineLoad } from "./machine-load.ts";

export interface CliStartCase {
  name: string;
  /** What it runs after node's own path. */
  argv: string[];
  /** The goal, in ms, where there is one. */
  target_ms?: number;
}

export interface CliStartRow {
  case: CliStartCase;
  /** Wall time of the whole command, ms. */
  distribution: Distribution;
}

export interface CliStartBenchmark {
  rounds: number;
  rows: CliStartRow[];
  machine: MachineDuring;
}

const EXAMPLE = packagePath("examples/seed-dtk/conflux.yaml");

export function cliStartCases(): CliStartCase[] {
  const built = packagePath("bin/conflux.js");
  const sources = ["--import", "tsx", packagePath("src/cli/main.ts")];
  return [
    { name: "node -e '' (the floor)", argv: ["-e", ""] },
    { name: "conflux --help", argv: [built, "--help"], target_ms: 300 },
    { name: "conflux --help, from the sources", argv: [...sources, "--help"] },
    { name: "conflux validate", argv: [built, "validate", EXAMPLE], target_ms: 500 },
    { name: "conflux validate, from the sources", argv: [...sources, "validate", EXAMPLE] },
  ];
}

/** Wall time of one run of `node …argv`, in ms; throws when it fails, since its time would mean nothing. */
function timeOnce(argv: string[]): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, argv, { cwd: PACKAGE_ROOT, stdio: ["ignore", "ignore", "pipe"] });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) {
    throw new Error(`node ${argv.join(" ")} failed (exit ${result.status}): ${String(result.stderr).trim()}`);
  }
  return elapsed;
}

export function runCliStartBenchmark(options: { rounds: number; progress: (what: string) => void }): CliStartBenchmark {
  const stale = bundleStale(packagePath("build/cli/inputs.json"), PACKAGE_ROOT);
  if (stale !== undefined) {
    // Built before the first sample, or the first built run would time the build.
    options.progress(`building the command line first (${stale})`);
    const built = spawnSync(process.execPath, [packagePath("scripts/build.mjs"), "cli"], { encoding: "utf8" });
    if (built.status !== 0) throw new Error(`the command line did not build: ${built.stderr.trim()}`);
  }
  const cases = cliStartCases();
  const machine = new MachineLoad();
  // One round unrecorded: the page cache holds every file after it, as it does for a user's second command.
  for (const startCase of cases) timeOnce(startCase.argv);
  const samples = cases.map(() => new Float64Array(options.rounds));
  for (let round = 0; round < options.rounds; round++) {
    if (round % 5 === 0) options.progress(`round ${round + 1} of ${options.rounds}`);
    cases.forEach((startCase, index) => {
      (samples[index] as Float64Array)[round] = timeOnce(startCase.argv);
    });
    machine.sample();
  }
  return {
    rounds: options.rounds,
    rows: cases.map((startCase, index) => ({
      case: startCase,
      distribution: summarize(samples[index] as Float64Array),
    })),
    machine: machine.during(),
  };
}
