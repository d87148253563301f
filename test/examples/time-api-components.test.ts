// The examples' components (issue 17) were written against the time API of
// the clients before it existed: each runs here, a real process on its
// client, through a test-only driver of protocol version 2
// (test/clients/time-driver.ts) for a window, its repeat and a last window —
// checkpoints written and restored, its substeps sampled into its waveform
// with finite values at the window's times — and says bye when stopped. The
// driver feeds each a constant field, so their numerical checks are off; the
// coupled runs with the real driver are the examples' own tests. The tube's
// wall runs in both its versions, Python and C.
import assert from "node:assert/strict";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { WindowFlag } from "../../src/wire/protocol.ts";
import { startProgram } from "../clients/programs.ts";
import { TimeDriver } from "../clients/time-driver.ts";
import { compileWithClient, pythonEnvironment } from "../clients/toolchain.ts";
import { C_COMPILER, type Gate, NUMPY, needs, numpyPython } from "../support/requirements.ts";
import { scratchRun } from "../support/scratch-run.ts";
import { HEAT_EXAMPLE, scratchDirectory, TUBE_EXAMPLE } from "./support.ts";

interface ExampleComponent {
  name: string;
  options: Gate;
  command(t: TestContext): string[];
  args: object;
  environment: Record<string, string>;
  mesh: string;
  input: string;
  output: string;
  /** The input's value at every point (default: what the component wrote before hello). */
  initial?: (count: number) => number[];
  window: number;
  substeps: number;
}

const python = numpyPython();
/** tube_wall.py: π r² with r = 1/√π. */
const REFERENCE_AREA = 1;
type HowItRuns = Pick<ExampleComponent, "options" | "command" | "environment">;

/** A component in C: the example's `sources`, built with the client into `binary`. */
function inC(binary: string, sources: string[]): HowItRuns {
  return {
    options: needs(C_COMPILER),
    command: (t) => [compileWithClient(scratchDirectory(t), binary, sources)],
    environment: {},
  };
}

/** A component in Python (with numpy): the example's `script`. */
function inPython(script: string): HowItRuns {
  return { options: needs(NUMPY), command: () => [python as string, script], environment: pythonEnvironment() };
}

/** Both sides of the heat case: the example's grid, windows of ten steps, on the interface mesh. */
const HEAT = {
  args: { nx: 11, ny: 11, dt: 0.01, error_tolerance: 0 },
  mesh: "interface",
  window: 0.1,
  substeps: 10,
};
/** Both sides of the tube: its 100 cells, one step a window, on the nodes. */
const TUBE = { args: { cells: 100 }, mesh: "nodes", window: 0.01, substeps: 1 };
/** The tube's wall, in either language: it reads the pressure, from 0. */
const WALL = {
  ...TUBE,
  input: "pressure",
  output: "cross_section",
  initial: (count: number) => new Array<number>(count).fill(0),
};

const COMPONENTS: ExampleComponent[] = [
  {
    name: "Neumann",
    ...inC("neumann", [
      "examples/partitioned-heat/neumann.c",
      "examples/partitioned-heat/heat_common.c",
      "examples/partitioned-heat/heat_neumann.c",
    ]),
    ...HEAT,
    input: "flux",
    output: "T",
  },
  {
    name: "Dirichlet",
    ...inPython(join(HEAT_EXAMPLE, "dirichlet.py")),
    ...HEAT,
    input: "T",
    output: "flux",
    initial: (count) => new Array<number>(count).fill(2),
  },
  {
    name: "Fluid",
    ...inC("fluid", ["examples/elastic-tube-1d/fluid.c", "examples/elastic-tube-1d/tube.c"]),
    ...TUBE,
    input: "cross_section",
    output: "pressure",
    initial: (count) => new Array<number>(count).fill(REFERENCE_AREA),
  },
  { name: "Solid", ...inPython(join(TUBE_EXAMPLE, "solid.py")), ...WALL },
  {
    name: "Solid in C",
    ...inC("solid", ["examples/elastic-tube-1d/solid.c", "examples/elastic-tube-1d/tube.c"]),
    ...WALL,
  },
];

const { writeCheckpoint: WRITE, readCheckpoint: READ, lastWindow: LAST } = WindowFlag;

for (const component of COMPONENTS) {
  test(
    `the ${component.name} example runs through windows, a repeat and checkpoints on its client`,
    component.options,
    async (t) => {
      const run = scratchRun(t);
      const driver = new TimeDriver(t, run, component.name, {
        mesh: component.mesh,
        input: component.input,
        output: component.output,
        capacity: component.substeps + 1,
        degree: 1,
      });
      const program = startProgram(t, component.command(t), {
        ...component.environment,
        CONFLUX_RUN_DIR: run.directory,
        CONFLUX_COMPONENT_NAME: component.name,
        CONFLUX_COMPONENT_ARGS: JSON.stringify(component.args),
      });
      driver.handshake();
      const input = driver.input;
      assert.ok(input);
      if (component.initial !== undefined) driver.writeInput([0], [component.initial(input.count)]);
      const initial = [...input.sample(0)];
      const size = component.window;
      const end = 2 * size;
      const attempts = [
        { window: 0, iteration: 0, start: 0, flags: WRITE, answer: "checkpointed" },
        { window: 0, iteration: 1, start: 0, flags: READ, answer: "restored" },
        { window: 1, iteration: 0, start: size, flags: WRITE | LAST, answer: "checkpointed" },
      ];
      for (const attempt of attempts) {
        driver.writeInput([attempt.start], [initial]);
        const received = driver.attempt({ ...attempt, size, end });
        const what = `window ${attempt.window} iteration ${attempt.iteration}: ${program.stderr()}`;
        assert.deepEqual(
          received.map((record) => record.opcode),
          [attempt.answer, "done"],
          what,
        );
        assert.ok(Math.abs((received[0]?.payload[0] as number) - attempt.start) < 1e-9, `${what}: its time`);
        const done = received[1]?.payload ?? [];
        assert.deepEqual([done[0], done[1], done[3]], [attempt.window, attempt.iteration, component.substeps], what);
        assert.ok(Math.abs((done[2] as number) - (attempt.start + size)) < 1e-9, `${what}: done at the window's end`);
        const written = driver.written();
        assert.equal(written.n, component.substeps + 1, what);
        assert.ok(Math.abs((written.times[written.n - 1] as number) - (attempt.start + size)) < 1e-12, what);
        for (const sample of written.samples) assert.ok(sample.every(Number.isFinite), `${what}: finite samples`);
      }
      driver.stop();
      assert.deepEqual(await program.exited, { code: 0, signal: null }, program.stderr());
    },
  );
}
