// The tests of the time API that every client passes (time-api-*.test.ts: C,
// C under sanitizers, Python with and without numpy, TypeScript), each
// component a real process driven by a test-only driver of protocol version 2
// (time-driver.ts) over a real channel: windows
// of four substeps, checkpoints and a repeat. It checks that the samples'
// times and values land in the component's waveform, that read interpolates
// the driver's waveform with the golden weights, that a repeat resets the
// client's time and the sample count, that a component ignoring a restore
// request is seen (its done comes before any restored), and that a step
// beyond maxTimeStep and more substeps than a window holds are refused by name.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, truncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, type TestContext, test } from "node:test";
import type { Run } from "../../src/shm/run.ts";
import { WindowFlag } from "../../src/wire/protocol.ts";
import type { GoldenInterpolation } from "../golden/time-interpolation-cases.ts";
import { projectRoot } from "../support/child-process.ts";
import { C_COMPILER, type Gate, NUMPY, needs, numpyPython, PYTHON } from "../support/requirements.ts";
import { scratchRun } from "../support/scratch-run.ts";
import { type Program, startProgram } from "./programs.ts";
import { type Received, TimeDriver } from "./time-driver.ts";
import { compileWithClient, pythonCommand, pythonEnvironment, sanitizedBuild } from "./toolchain.ts";

export interface Client {
  language: string;
  /** node:test options: a skip naming what is missing, or under CONFLUX_TEST_REQUIRE=all a failure. */
  options: Gate;
  /** The component's command; a C client compiles it into `directory` (once: the file caches it). */
  command(directory: string): string[];
  environment: Record<string, string>;
  /** Whether the client survives a truncated mapping (the C and Python clients' SIGBUS handling). */
  truncation: boolean;
  /** How the client names maxTimeStep in its refusal. */
  maxTimeStep: RegExp;
}

const C_SOURCES = ["test/clients/time_component.c"];

export function cClient(): Client {
  return {
    language: "C",
    options: needs(C_COMPILER),
    command: (directory) => [compileWithClient(directory, "time_component", C_SOURCES)],
    environment: {},
    truncation: true,
    maxTimeStep: /cfx_advance\(.*\) goes beyond cfx_max_time_step/,
  };
}

export function sanitizedCClient(): Client {
  const sanitized = sanitizedBuild();
  return {
    language: `C (${sanitized.name})`,
    options: sanitized.options,
    command: (directory) => {
      sanitized.required();
      return [sanitized.compile(directory, "time_component", C_SOURCES)];
    },
    environment: sanitized.environment,
    truncation: true,
    maxTimeStep: /cfx_advance\(.*\) goes beyond cfx_max_time_step/,
  };
}

export function pythonClients(): Client[] {
  const python = pythonCommand();
  const withNumpy = numpyPython();
  return [
    {
      language: "Python (memoryviews)",
      options: needs(PYTHON),
      command: () => [python as string, join(projectRoot, "test/clients/time_component.py")],
      environment: pythonEnvironment({ CONFLUX_NO_NUMPY: "1" }),
      truncation: true,
      maxTimeStep: /advance\(.*\) goes beyond max_time_step\(\)/,
    },
    {
      language: "Python (numpy)",
      options: needs(NUMPY),
      command: () => [withNumpy as string, join(projectRoot, "test/clients/time_component.py")],
      environment: pythonEnvironment(),
      truncation: true,
      maxTimeStep: /advance\(.*\) goes beyond max_time_step\(\)/,
    },
  ];
}

export function typescriptClient(): Client {
  return {
    language: "TypeScript",
    options: {},
    command: () => [process.execPath, "--import", "tsx", join(projectRoot, "test/clients/time-component.ts")],
    environment: {},
    truncation: false,
    maxTimeStep: /advance\(.*\) goes beyond maxTimeStep\(\)/,
  };
}

const COUNT = 3;
const INITIAL = [1, 2, 3];
const golden = JSON.parse(readFileSync(join(projectRoot, "test/golden/time-interpolation.json"), "utf8")) as {
  cases: GoldenInterpolation[];
};
/** The uneven six samples of window [0.1, 0.2], read with degree 3 (golden case 3). */
const GOLDEN = golden.cases.find((c) => c.degree === 3 && c.times.length === 6 && c.times[0] === 0.1);
const SAMPLES = (GOLDEN?.times ?? []).map((_, i) => [1 + 0.5 * i, 2 - 0.25 * i * i, 3 + i ** 3 / 10]);

function goldenValue(time: number): number[] {
  const read = GOLDEN?.reads.find((candidate) => Math.abs(candidate.time - time) < 1e-12);
  assert.ok(read, `the golden file has weights at ${time}`);
  return Array.from({ length: COUNT }, (_, j) =>
    read.weights.reduce((sum, weight, i) => sum + weight * (SAMPLES[i]?.[j] as number), 0),
  );
}

function closeTo(actual: readonly number[], expected: readonly number[], what: string, tolerance = 1e-12): void {
  assert.equal(actual.length, expected.length, what);
  actual.forEach((value, i) => {
    assert.ok(
      Math.abs(value - (expected[i] as number)) <= tolerance,
      `${what}[${i}]: ${value}, expected ${expected[i]}`,
    );
  });
}

function opcodes(received: Received[]): string[] {
  return received.map((record) => record.opcode);
}

function start(
  t: TestContext,
  client: Client,
  name: string,
  args: object,
  capacity = 11,
  count = COUNT,
  inputCount = count,
) {
  const run = scratchRun(t);
  const initial = Array.from({ length: count }, (_, j) => INITIAL[j % COUNT] as number);
  const driver = new TimeDriver(t, run, name, { count, capacity, degree: 3, initial, inputCount });
  const program = startProgram(t, commandOf(client), {
    ...client.environment,
    CONFLUX_RUN_DIR: run.directory,
    CONFLUX_COMPONENT_NAME: name,
    CONFLUX_COMPONENT_ARGS: JSON.stringify({ count, dt: 0.025, ...args }),
  });
  driver.handshake();
  return { run, driver, program };
}

function fileOf(run: Run, name: string): string {
  const entry = run.segments().find((segment) => segment.name === name);
  assert.ok(entry, `${name} is registered`);
  return join(run.directory, entry.file);
}

/** The attempt a component cannot finish: what it sent before it closed its channel. */
function failedAttempt(driver: TimeDriver, window: Parameters<TimeDriver["attempt"]>[0]): string {
  try {
    driver.attempt(window);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("the component finished an attempt it should have been refused");
}

async function exitedWith(program: Program, code: number): Promise<void> {
  assert.deepEqual(await program.exited, { code, signal: null }, program.stderr());
}

const { writeCheckpoint: WRITE, readCheckpoint: READ, lastWindow: LAST } = WindowFlag;

/** Declares every test of the time API for `clients`, each component built once for the file. */
export function timeApiTests(clients: readonly Client[]): void {
  let directory = "";
  before(() => {
    directory = mkdtempSync(join(tmpdir(), "conflux-clients-"));
  });
  after(() => rmSync(directory, { recursive: true, force: true }));
  for (const client of clients) {
    commands.delete(client);
    builds.set(client, () => directory);
    declare(client);
  }
}

const commands = new Map<Client, string[]>();
const builds = new Map<Client, () => string>();

function commandOf(client: Client): string[] {
  let command = commands.get(client);
  if (command === undefined) {
    command = client.command((builds.get(client) as () => string)());
    commands.set(client, command);
  }
  return command;
}

function declare(client: Client): void {
  const options = client.options;

  test(`${client.language}: windows with substeps, checkpoints and a repeat`, options, async (t) => {
    const { driver, program } = start(t, client, "Solver", {});
    const end = 0.3;

    // Window 0: the driver's waveform holds its initial value only (constant in time).
    const first = driver.attempt({ window: 0, iteration: 0, start: 0, size: 0.1, flags: WRITE, end });
    assert.deepEqual(opcodes(first), ["checkpointed", "done"]);
    assert.deepEqual(first[0]?.payload, [0]);
    const [window, iteration, time, substeps] = first[1]?.payload ?? [];
    assert.deepEqual([window, iteration, substeps], [0, 0, 4]);
    assert.ok(Math.abs((time as number) - 0.1) < 1e-12, `done's time ${time}`);
    let written = driver.written();
    assert.equal(written.n, 5);
    closeTo(written.times, [0, 0.025, 0.05, 0.075, 0.1], "window 0 sample times");
    assert.deepEqual(written.samples[0], [0, 10, 20], "sample 0: the component's initial field");
    for (let i = 1; i < 5; i++) assert.deepEqual(written.samples[i], INITIAL, `window 0 sample ${i}`);

    // Window 1, first attempt: the driver's waveform restarts from its end value.
    driver.writeInput([0.1], [INITIAL]);
    const second = driver.attempt({ window: 1, iteration: 0, start: 0.1, size: 0.1, flags: WRITE, end });
    assert.deepEqual(opcodes(second), ["checkpointed", "done"]);
    assert.ok(Math.abs((second[0]?.payload[0] as number) - 0.1) < 1e-12);
    written = driver.written();
    assert.equal(written.n, 5);
    assert.equal(written.times[0], 0.1, "a new window's sample 0 is at its start");
    assert.deepEqual(written.samples[0], INITIAL, "and holds the converged end of the window before");

    // Window 1 repeated, with six uneven samples to read: the golden weights of degree 3.
    driver.writeInput(GOLDEN?.times ?? [], SAMPLES);
    const repeat = driver.attempt({ window: 1, iteration: 1, start: 0.1, size: 0.1, flags: READ, end });
    assert.deepEqual(opcodes(repeat), ["restored", "done"], "restored comes before done");
    assert.ok(Math.abs((repeat[0]?.payload[0] as number) - 0.1) < 1e-12, "restored to the window start");
    assert.deepEqual(repeat[1]?.payload.slice(0, 2), [1, 1]);
    assert.equal(repeat[1]?.payload[3], 4);
    written = driver.written();
    assert.equal(written.n, 5, "a repeat starts again from one sample");
    assert.deepEqual(written.samples[0], INITIAL, "a repeat keeps sample 0");
    closeTo(written.times, [0.1, 0.125, 0.15, 0.175, 0.2], "repeat sample times");
    [0.125, 0.15, 0.175, 0.2].forEach((at, k) => {
      closeTo(written.samples[k + 1] as number[], goldenValue(at), `read at ${at}`);
    });

    // Window 2, the last: constant again, from the driver's end value.
    driver.writeInput([0.2], [SAMPLES[5] as number[]]);
    const last = driver.attempt({ window: 2, iteration: 0, start: 0.2, size: 0.1, flags: WRITE | LAST, end });
    assert.deepEqual(opcodes(last), ["checkpointed", "done"]);
    written = driver.written();
    closeTo(written.samples[0] as number[], SAMPLES[5] as number[], "window 2 sample 0: window 1's end");
    for (let i = 1; i < 5; i++) closeTo(written.samples[i] as number[], SAMPLES[5] as number[], `window 2 sample ${i}`);
    driver.stop();
    await exitedWith(program, 0);
    const lines = program.stdout().trim().split("\n");
    assert.deepEqual(
      lines.map((line) => line.split(" ").slice(0, 3).join(" ")),
      ["attempt 0 0", "attempt 1 0", "attempt 1 1", "attempt 2 0", "bye"],
    );
    closeTo(
      lines.slice(0, 4).map((line) => Number(line.split(" ")[3])),
      [0, 0.1, 0.1, 0.2],
      "time() at each attempt's start: a repeat starts at the window start again",
    );
  });

  test(
    `${client.language}: a component that ignores a restore request sends done before restored`,
    options,
    async (t) => {
      const { driver, program } = start(t, client, "Careless", { mode: "ignore-restore" });
      const window = { window: 0, iteration: 0, start: 0, size: 0.1, flags: WRITE, end: 1 };
      assert.deepEqual(opcodes(driver.attempt(window)), ["checkpointed", "done"]);
      const repeat = driver.attempt({ ...window, iteration: 1, flags: READ });
      assert.deepEqual(opcodes(repeat), ["done"], "no restored before the done: the driver can name the component");
      driver.stop();
      await exitedWith(program, 0);
    },
  );

  test(`${client.language}: a step beyond maxTimeStep is refused by name`, options, async (t) => {
    const { driver, program } = start(t, client, "Hasty", { mode: "overstep" });
    failedAttempt(driver, { window: 0, iteration: 0, start: 0, size: 0.1, flags: 0, end: 1 });
    await exitedWith(program, 1);
    assert.match(program.stderr(), client.maxTimeStep);
    assert.match(program.stderr(), /component "Hasty"/);
  });

  test(`${client.language}: more substeps than a window holds are refused by name`, options, async (t) => {
    const { driver, program } = start(t, client, "Fussy", { mode: "substeps", dt: 0.01 }, 5);
    failedAttempt(driver, { window: 0, iteration: 0, start: 0, size: 0.1, flags: 0, end: 1 });
    await exitedWith(program, 1);
    assert.match(
      program.stderr(),
      /would be step 5 of window 0 \(iteration 0\), more than the 4 substeps a window holds/,
    );
    const written = driver.written();
    assert.equal(written.n, 5, "the four steps it could take are there");
    closeTo(written.times, [0, 0.01, 0.02, 0.03, 0.04], "their times");
  });

  for (const [field, to, how] of [
    ["out", 0, "a waveform it writes, to nothing"],
    ["in", 100, "a waveform it reads, within its first page (no SIGBUS there)"],
    ["in", 4096, "a waveform it reads, across pages (its sample 0 faults)"],
  ] as const) {
    // The TypeScript SDK has no SIGBUS handling (docs/wire-format.md, "Truncation").
    if (!client.truncation) continue;
    test(`${client.language}: ${how}, truncated between windows, ends the component naming it`, options, async (t) => {
      // 600 points: a waveform of many pages, sample 0 of the one it reads across the first two.
      const { run, driver, program } = start(t, client, "Solver", {}, 11, 600);
      const window = { window: 0, iteration: 0, start: 0, size: 0.1, flags: 0, end: 1 };
      assert.deepEqual(opcodes(driver.attempt(window)), ["done"]);
      // From here on this process must not touch that waveform: its own mapping is truncated too.
      truncateSync(fileOf(run, `Solver.m.${field}.waveform`), to);
      failedAttempt(driver, { ...window, window: 1, start: 0.1 });
      await exitedWith(program, 1);
      assert.match(
        program.stderr(),
        new RegExp(
          `segment "Solver\\.m\\.${field}\\.waveform" \\(\\S+\\) was truncated while this process had it mapped: its file holds ${to} of its \\d+ bytes`,
        ),
      );
    });
  }

  test(`${client.language}: a window the driver cannot have meant is refused by name`, options, async (t) => {
    for (const [slot, value, says] of [
      ["size", Number.NaN, /the driver sent a window with window size nan/i],
      ["flags", 8, /the driver sent a window with flags 8/],
      ["window", -1, /the driver sent a window with window index -1/],
    ] as const) {
      const { driver, program } = start(t, client, "Misled", {});
      failedAttempt(driver, { window: 0, iteration: 0, start: 0, size: 0.1, flags: 0, end: 1, [slot]: value });
      await exitedWith(program, 1);
      assert.match(program.stderr(), says, `${slot} ${value}`);
    }
  });

  test(
    `${client.language}: a waveform whose sample count or times are corrupt is refused where it is read`,
    options,
    async (t) => {
      for (const [corrupt, says] of [
        [(driver: TimeDriver) => driver.input?.publishSampleCount(0), /sample count 0 is outside 1\.\.11/],
        [
          (driver: TimeDriver) =>
            Atomics.store(
              new Int32Array(driver.input?.segment.buffer as ArrayBuffer, driver.input?.segment.payloadOffset, 8),
              6,
              12,
            ),
          /sample count 12 is outside 1\.\.11/,
        ],
        [
          (driver: TimeDriver) => driver.writeInput([0, 0.05, 0.04], [INITIAL, INITIAL, INITIAL]),
          /sample 2 is at time 0\.04\S*, not after sample 1 at 0\.05/,
        ],
        [(driver: TimeDriver) => driver.writeInput([0, Number.NaN], [INITIAL, INITIAL]), /sample 1 has time nan/i],
        [
          (driver: TimeDriver) => driver.writeInput([0, 0.5], [INITIAL, INITIAL]),
          /sample 1 is at time 0\.5, after the window's end 0\.1/,
        ],
      ] as const) {
        const { driver, program } = start(t, client, "Misfed", {});
        corrupt(driver);
        failedAttempt(driver, { window: 0, iteration: 0, start: 0, size: 0.1, flags: 0, end: 1 });
        await exitedWith(program, 1);
        assert.match(program.stderr(), says);
        assert.match(program.stderr(), /waveform "Misfed\.m\.in\.waveform"/);
      }
    },
  );

  test(
    `${client.language}: a waveform of another point count than its mesh is refused when ready`,
    options,
    async (t) => {
      const { program } = start(t, client, "Mismatched", {}, 11, COUNT, COUNT + 1);
      await exitedWith(program, 1);
      assert.match(program.stderr(), /waveform "Mismatched\.m\.in\.waveform": 4 points a sample, but its mesh has 3/);
    },
  );

  test(`${client.language}: a time component refuses go by name (an iteration run)`, options, async (t) => {
    const { driver, program } = start(t, client, "Timely", {});
    driver.channel.send(new (await import("../../src/queue/message.ts")).Message().set(0x20, 0));
    await exitedWith(program, 1);
    assert.match(program.stderr(), /the driver sent go: this is an iteration run/);
  });
}
