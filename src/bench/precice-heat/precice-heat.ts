// The partitioned heat case through preCICE, built and run at bench time: the
// two participants (precice_heat_participant.c, once per side) are compiled with
// the same numerics files as the Conflux participants
// (examples/partitioned-heat/heat_*.c) and linked with the installed preCICE,
// then run as a pair for each acceleration, so the comparison is the same
// solver under two couplers. When preCICE, a C compiler or preCICE's runtime
// libraries are missing, the measurement is skipped with the reason.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { compilerCommand } from "../../platform/c-compiler.ts";
import {
  type PreciceAccelerationRuns,
  type PreciceCaseOptions,
  preciceRunTiming,
  runEachAcceleration,
} from "./acceleration-runs.ts";
import {
  HEAT_ACCELERATIONS,
  type HeatAcceleration,
  type HeatCase,
  preciceHeatConfig,
  TUTORIAL_CASE,
} from "./config.ts";
import type { PreciceInstallation } from "./precice-installation.ts";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const EXAMPLE = fileURLToPath(new URL("../../../examples/partitioned-heat/", import.meta.url));

/** What Debian 12's build of preCICE 3.4.1 needs at run time. */
export const PRECICE_RUNTIME_PACKAGES =
  "libboost-log1.74.0 libboost-program-options1.74.0 libboost-thread1.74.0 libxml2 libopenmpi3 openmpi-bin";

export interface PreciceHeatRun {
  acceleration: HeatAcceleration;
  /** Coupling iterations of every window, from preCICE's iterations log. */
  iterations: number[];
  total: number;
  /** From the end of initialize to finalize, the Neumann participant's clock. */
  couplingSeconds: number;
  msPerIteration: number;
  msPerWindow: number;
  /** The largest relative L2 error against u at a window's end, either side. */
  maxError: number;
  /** Lines preCICE printed as warnings (IQN-ILS's ill-conditioning ones among them). */
  warnings: number;
  /** A warning, as printed, when there were any. */
  firstWarning?: string;
}

export type PreciceHeatResult = PreciceAccelerationRuns<PreciceHeatRun>;

/**
 * Compiles C `sources` with `includes` into `binary`, linked with the installed
 * preCICE (its library directory as the run path), then checks that it starts:
 * run without arguments, a participant here prints its usage and exits 2 once
 * the loader has found every library. Returns why not, or undefined.
 */
export function buildPreciceProgram(
  installation: PreciceInstallation,
  binary: string,
  sources: readonly string[],
  includes: readonly string[],
  defines: readonly string[] = [],
): string | undefined {
  const compiler = compilerCommand();
  if (compiler === undefined) return "no C compiler (install gcc: apt-get install -y gcc)";
  const library = join(installation.prefix, "lib");
  const compile = spawnSync(
    compiler,
    [
      "-std=c99",
      "-O2",
      "-ffp-contract=off",
      ...includes.map((include) => `-I${include}`),
      ...defines.map((define) => `-D${define}`),
      `-I${join(installation.prefix, "include")}`,
      ...sources,
      `-L${library}`,
      `-Wl,-rpath,${library}`,
      "-lprecice",
      "-lm",
      "-o",
      binary,
    ],
    { encoding: "utf8", timeout: 120_000 },
  );
  if (compile.status !== 0) return `${basename(binary)} did not build against preCICE: ${compile.stderr.trim()}`;
  const probe = spawnSync(binary, [], { encoding: "utf8", timeout: 30_000 });
  if (probe.status !== 2) {
    return `the preCICE participants do not start (${probe.stderr.trim() || `exit ${probe.status}`}); preCICE ${installation.version} for Debian 12 needs: apt-get install ${PRECICE_RUNTIME_PACKAGES}`;
  }
  return undefined;
}

/** What one participant of a case is compiled from (buildPreciceProgram's arguments). */
export interface PreciceProgram {
  binary: string;
  sources: readonly string[];
  includes: readonly string[];
  defines?: readonly string[];
}

/** Builds each side's participant; the programs by side, or why one did not build. */
export function buildPreciceSides<Side extends string>(
  installation: PreciceInstallation,
  sides: readonly Side[],
  program: (side: Side) => PreciceProgram,
): Record<Side, string> | string {
  const built: Partial<Record<Side, string>> = {};
  for (const side of sides) {
    const { binary, sources, includes, defines } = program(side);
    const failure = buildPreciceProgram(installation, binary, sources, includes, defines);
    if (failure !== undefined) return failure;
    built[side] = binary;
  }
  return built as Record<Side, string>;
}

type Built = Record<"dirichlet" | "neumann", string>;

/** Compiles both heat participants into `directory`; a string says why not. */
function build(installation: PreciceInstallation, directory: string): Built | string {
  return buildPreciceSides(installation, ["dirichlet", "neumann"] as const, (side) => ({
    binary: join(directory, `precice_${side}`),
    sources: [
      join(HERE, "precice_heat_participant.c"),
      join(EXAMPLE, "heat_common.c"),
      join(EXAMPLE, `heat_${side}.c`),
    ],
    includes: [EXAMPLE],
    defines: [`HEAT_SIDE_${side.toUpperCase()}`],
  }));
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** stdout and stderr, interleaved as they came. */
  output: string;
}

/** Starts a participant in its own process group (its MPI helper with it), collecting stdout and stderr. */
function start(command: string, args: string[], cwd: string): { child: ChildProcess; finished: Promise<Finished> } {
  const child = spawn(command, args, {
    cwd,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    // MPI's session directory goes into the run's scratch directory, removed with it.
    env: { ...process.env, TMPDIR: cwd },
  });
  let output = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  const finished = new Promise<Finished>((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal, output }));
  });
  return { child, finished };
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/**
 * Runs preCICE participants together in `cwd` until all have exited; after
 * `timeoutMs` they are killed and this throws. One that fails (an exit code
 * other than 0, or a signal) ends the others at once: they would wait for it
 * until the timeout. Nothing they started outlives it.
 */
export async function runPreciceParticipants(
  participants: readonly { command: string; args: string[] }[],
  cwd: string,
  timeoutMs: number,
): Promise<Finished[]> {
  const started = participants.map((participant) => start(participant.command, participant.args, cwd));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  const all = Promise.all(started.map((entry) => entry.finished));
  const oneFailed = new Promise<"failed">((resolve) => {
    for (const entry of started) {
      void entry.finished.then((finished) => {
        if (finished.code !== 0) resolve("failed");
      });
    }
  });
  const outcome = await Promise.race([all, timedOut, oneFailed]);
  clearTimeout(timer);
  for (const entry of started) killGroup(entry.child);
  const finished = await all;
  if (outcome === "timeout") {
    // Where each one was stuck: the last lines it printed (a connection never made, a window never ended).
    const tails = finished.map(
      (entry, index) =>
        `participant ${index + 1} (${participants[index]?.command}) last printed:\n${entry.output.trim().split("\n").slice(-4).join("\n") || "(nothing)"}`,
    );
    throw new Error(`the preCICE participants did not finish in ${timeoutMs / 1000} s; ${tails.join("\n")}`);
  }
  return finished;
}

/** A participant of a two-sided case: its name in the configuration, and its program. */
export interface PreciceSide {
  name: string;
  command: string;
}

/** How a case's run went: how each participant finished, and the windows' iterations from the log. */
export interface PreciceCaseRun {
  first: Finished;
  second: Finished;
  log: { iterations: number[]; converged: boolean[] };
}

/**
 * Writes the case's configuration into `runDirectory`, runs its two
 * participants there on the same arguments (the configuration's path, then
 * `caseArgs`) and returns how each finished, with the iterations log preCICE
 * writes for the second. A run that fails or times out, or a participant that
 * exits other than 0 (named, with its last lines), is an error that starts
 * with `label`.
 */
export async function runPreciceCase(
  label: string,
  configXml: string,
  sides: readonly [PreciceSide, PreciceSide],
  caseArgs: readonly string[],
  runDirectory: string,
  timeoutMs: number,
): Promise<PreciceCaseRun> {
  const config = join(runDirectory, "precice-config.xml");
  writeFileSync(config, configXml);
  const args = [config, ...caseArgs];
  let finished: Finished[];
  try {
    finished = await runPreciceParticipants(
      sides.map(({ command }) => ({ command, args })),
      runDirectory,
      timeoutMs,
    );
  } catch (error) {
    throw new Error(`${label}: ${(error as Error).message}`);
  }
  for (const [index, side] of sides.entries()) {
    const one = finished[index] as Finished;
    if (one.code !== 0) {
      const tail = one.output.trim().split("\n").slice(-5).join("\n");
      throw new Error(`${label}: ${side.name} exited ${one.code ?? one.signal}:\n${tail}`);
    }
  }
  const logFile = join(runDirectory, `precice-${sides[1].name}-iterations.log`);
  return {
    first: finished[0] as Finished,
    second: finished[1] as Finished,
    log: iterationsFromLog(readFileSync(logFile, "utf8")),
  };
}

/** The iterations of every window from a preCICE iterations log (the second participant's). */
export function iterationsFromLog(text: string): { iterations: number[]; converged: boolean[] } {
  const rows = text
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => line.trim().split(/\s+/));
  return { iterations: rows.map((row) => Number(row[2])), converged: rows.map((row) => row[3] === "1") };
}

const ERROR_LINE = /^window (\d+), t = [0-9.]+: relative L2 error = (\S+)$/gm;

async function runPair(
  built: Built,
  acceleration: HeatAcceleration,
  heat: HeatCase,
  runDirectory: string,
  timeoutMs: number,
): Promise<PreciceHeatRun> {
  const {
    first: left,
    second: right,
    log: { iterations },
  } = await runPreciceCase(
    `preCICE heat (${acceleration})`,
    preciceHeatConfig(acceleration, runDirectory, heat),
    [
      { name: "Dirichlet", command: built.dirichlet },
      { name: "Neumann", command: built.neumann },
    ],
    [String(heat.nx), String(heat.ny), String(heat.dt)],
    runDirectory,
    timeoutMs,
  );
  const output = `${left.output}\n${right.output}`;
  const errors = [...output.matchAll(ERROR_LINE)].map((match) => Number(match[2]));
  if (errors.length !== 2 * iterations.length) {
    throw new Error(`preCICE heat (${acceleration}): ${errors.length} error lines for ${iterations.length} windows`);
  }
  return {
    acceleration,
    iterations,
    ...preciceRunTiming(iterations, right.output, output),
    maxError: Math.max(...errors),
  };
}

export interface PreciceHeatOptions extends PreciceCaseOptions<HeatAcceleration> {
  heat?: HeatCase;
}

/** Builds the participants and runs the heat case through preCICE once per acceleration, one after the other. */
export async function measurePreciceHeat(options: PreciceHeatOptions = {}): Promise<PreciceHeatResult> {
  return runEachAcceleration(
    "conflux-precice-heat-",
    build,
    options,
    HEAT_ACCELERATIONS,
    (built, acceleration, runDirectory, timeoutMs) =>
      runPair(built, acceleration, options.heat ?? TUTORIAL_CASE, runDirectory, timeoutMs),
  );
}
