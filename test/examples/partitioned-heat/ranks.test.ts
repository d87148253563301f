// The partitioned heat case with both participants as MPI jobs started by
// Open MPI's mpirun (examples/partitioned-heat/conflux.mpi.yaml): the Python
// Dirichlet side on 2 ranks (mpi4py), the C Neumann side on 3 (mpicc), each
// rank sharing its block of the interface (6 + 5 and 4 + 4 + 3 of 11 nodes).
// The driver maps and accelerates (IQN-ILS) on the union of the partitions.
// Against the serial pair (conflux.iqn-ils-defaults.yaml) in the same file:
// the same iterations in every window, and every output field within 1e-12.
// Once on the host's Open MPI in process enclaves (bit for bit: the same
// python3 and numpy as the serial run), once in bubblewrap containers whose
// stack holds Debian's openmpi-bin (its mpirun starts the ranks inside the
// container); there the Dirichlet solve runs on the stack's numpy over
// Debian's reference BLAS and LAPACK, where the host's has OpenBLAS, and
// the fields differ in the last bits (4e-13 measured).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { STACKS_VARIABLE } from "../../../src/stack/stack-store.ts";
import { compileWithClient } from "../../clients/toolchain.ts";
import { runToEnd, startCli } from "../../support/child-process.ts";
import {
  BUBBLEWRAP,
  C_COMPILER,
  DEBOOTSTRAP,
  debianMirrorUnreachable,
  MPI_COMPILER,
  MPI_PYTHON,
  MPI4PY,
  needs,
  OPEN_MPI,
  skipBecause,
  unmet,
} from "../../support/requirements.ts";
import { testStacksDirectory } from "../../support/test-stacks.ts";
import { HEAT_EXAMPLE, scratchDirectory } from "../support.ts";
import { componentOf, convergenceOf, type ExampleRun, runExample } from "../time-runs.ts";

const NEUMANN_NUMERICS = ["examples/partitioned-heat/heat_common.c", "examples/partitioned-heat/heat_neumann.c"];
const ERROR_LINE = /^window (\d+), t = ([0-9.]+): relative L2 error = (\S+)$/;
const STACK_SPEC = join(HEAT_EXAMPLE, "mpi.stack.yaml");

const hostOptions = needs(C_COMPILER, OPEN_MPI, MPI_COMPILER, MPI4PY);
const mirror = unmet(DEBOOTSTRAP) === undefined ? await debianMirrorUnreachable() : undefined;
const containerOptions = skipBecause(mirror, needs(C_COMPILER, MPI_COMPILER, MPI4PY, DEBOOTSTRAP, BUBBLEWRAP));

/** Every output field of a run's record, by name, as the values it wrote. */
function fieldsOf(run: ExampleRun): Map<string, Float64Array> {
  assert.equal(run.outcome.failure, undefined, run.outcome.failure?.message);
  const directory = run.outcome.directory;
  const fields = new Map<string, Float64Array>();
  for (const field of run.outcome.record.fields) {
    const bytes = readFileSync(join(directory, field.file));
    fields.set(field.name, new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8));
  }
  return fields;
}

interface SerialResult {
  iterations: number[];
  fields: Map<string, Float64Array>;
}

/**
 * The serial pair, run once for both comparisons (its fields read before the first test's scratch directory
 * goes). Its Dirichlet side runs on the same python3 and numpy as the MPI one: another numpy's BLAS rounds
 * the solve's product differently in the last bits.
 */
let serialRun: Promise<SerialResult> | undefined;
function serial(t: TestContext): Promise<SerialResult> {
  if (serialRun === undefined) {
    const directory = scratchDirectory(t);
    const neumann = compileWithClient(directory, "neumann", [
      "examples/partitioned-heat/neumann.c",
      ...NEUMANN_NUMERICS,
    ]);
    serialRun = runExample(join(HEAT_EXAMPLE, "conflux.iqn-ils-defaults.yaml"), directory, (document) => {
      componentOf(document, "Dirichlet").command = [MPI_PYTHON, join(HEAT_EXAMPLE, "dirichlet.py")];
      componentOf(document, "Neumann").command = [neumann];
    }).then((run) => ({ iterations: iterationsOf(run), fields: fieldsOf(run) }));
  }
  return serialRun;
}

function iterationsOf(run: ExampleRun): number[] {
  return convergenceOf(run.outcome).map((window) => window.iterations);
}

/** The ranked run against the serial one: iterations per window, ranks in the record, fields to 1e-12. */
async function assertSerialResult(t: TestContext, ranked: ExampleRun): Promise<void> {
  const reference = await serial(t);
  const expected = reference.fields;
  const actual = fieldsOf(ranked);
  assert.equal(iterationsOf(ranked).length, 10, "10 windows in the run record");
  assert.deepEqual(iterationsOf(ranked), reference.iterations, "the serial run's iterations in every window");
  assert.equal(ranked.outcome.record.ranks?.Dirichlet?.ranks, 2);
  assert.equal(ranked.outcome.record.ranks?.Neumann?.ranks, 3);
  assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort());
  let largest = 0;
  let bitwise = true;
  for (const [name, values] of expected) {
    const got = actual.get(name) as Float64Array;
    assert.equal(got.length, values.length, `${name}: as many values as the serial run`);
    for (let index = 0; index < values.length; index++) {
      const want = values[index] as number;
      const difference = Math.abs((got[index] as number) - want) / Math.max(1, Math.abs(want));
      if (got[index] !== want) bitwise = false;
      largest = Math.max(largest, difference);
      assert.ok(difference <= 1e-12, `${name}[${index}]: ${got[index]} against the serial ${want}`);
    }
  }
  t.diagnostic(`largest relative difference from the serial run ${largest}${bitwise ? " (bit for bit)" : ""}`);
}

/** The Neumann participant as an MPI job, built with mpicc on the C client. */
function buildNeumannMpi(directory: string): string {
  return compileWithClient(
    directory,
    "neumann_mpi",
    ["examples/partitioned-heat/neumann_mpi.c", ...NEUMANN_NUMERICS],
    [],
    "mpicc",
  );
}

test("heat on MPI ranks (Dirichlet 2, Neumann 3) under the host's mpirun: the serial result to 1e-12", {
  ...hostOptions,
  timeout: 300_000,
}, async (t) => {
  const directory = scratchDirectory(t);
  const neumann = buildNeumannMpi(directory);
  const run = await runExample(join(HEAT_EXAMPLE, "conflux.mpi.yaml"), directory, (document) => {
    componentOf(document, "Dirichlet").command = [MPI_PYTHON, join(HEAT_EXAMPLE, "dirichlet_mpi.py")];
    componentOf(document, "Neumann").command = [neumann];
  });
  for (const side of ["Dirichlet", "Neumann"]) {
    const windows = run.lines
      .filter((line) => line.component === side)
      .map((line) => ERROR_LINE.exec(line.text))
      .filter((match) => match !== null)
      .map((match) => ({ window: Number(match[1]), error: Number(match[3]) }));
    assert.deepEqual(
      windows.map((entry) => entry.window),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      `${side}'s rank 0 reported every window once`,
    );
    for (const entry of windows) assert.ok(entry.error < 1e-8, `${side}, window ${entry.window}: ${entry.error}`);
  }
  await assertSerialResult(t, run);
});

// A cold build of the stack is a debootstrap and three packages' dependencies: about a minute here.
test("heat on MPI ranks in containers, started by the stack's own mpirun: the serial result to 1e-12", {
  ...containerOptions,
  timeout: 900_000,
}, async (t) => {
  const stacks = testStacksDirectory();
  const built = await runToEnd(startCli(t, ["stack", "build", "--quiet", STACK_SPEC], { [STACKS_VARIABLE]: stacks }));
  assert.equal(built.code, 0, built.stderr);
  const before = process.env[STACKS_VARIABLE];
  process.env[STACKS_VARIABLE] = stacks;
  t.after(() => {
    if (before === undefined) delete process.env[STACKS_VARIABLE];
    else process.env[STACKS_VARIABLE] = before;
  });
  const directory = scratchDirectory(t);
  // Built on the host against its Open MPI; the stack holds the same release's libmpi.
  const neumann = buildNeumannMpi(directory);
  const container = { kind: "container", container: { runtime: "bubblewrap", stack: "heat-mpi" } };
  const run = await runExample(join(HEAT_EXAMPLE, "conflux.mpi.yaml"), directory, (document) => {
    const dirichlet = componentOf(document, "Dirichlet");
    dirichlet.enclave = container;
    dirichlet.command = ["python3", join(HEAT_EXAMPLE, "dirichlet_mpi.py")];
    const neumannSide = componentOf(document, "Neumann");
    neumannSide.enclave = container;
    neumannSide.command = [neumann];
    document.coupling.timeouts = { startup_ms: 120_000, step_ms: 30_000 };
  });
  await assertSerialResult(t, run);
});
