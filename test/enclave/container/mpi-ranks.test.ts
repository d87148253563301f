// A component of 3 ranks (2 + 0 + 3 points) in a container, started by the
// mpirun of the container's own stack (Debian's Open MPI, which the LAMMPS
// stack holds: python3-lammps depends on it), on the Python client, coupled
// with a serial component on the host: the fields equal, bit for bit, those of
// the same composition with the solver serial and on the host.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { readRunRecord } from "../../../src/record/run-record.ts";
import { STACKS_VARIABLE } from "../../../src/stack/stack-store.ts";
import { projectRoot, runToEnd, startCli } from "../../support/child-process.ts";
import {
  BUBBLEWRAP,
  DEBOOTSTRAP,
  debianMirrorUnreachable,
  needs,
  OPEN_MPI,
  skipBecause,
  unmet,
} from "../../support/requirements.ts";
import { testStacksDirectory } from "../../support/test-stacks.ts";

const FIXTURE = join(projectRoot, "test/coupling/fixtures/ranked_app.py");
const SERIAL = join(projectRoot, "test/coupling/fixtures/ranked-app.ts");
const STACK_SPEC = join(projectRoot, "examples/lammps-crack/lammps.stack.yaml");
const environment = { [STACKS_VARIABLE]: testStacksDirectory() };
const scratch = mkdtempSync(join(tmpdir(), "conflux-mpi-ranks-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

const mirror = unmet(DEBOOTSTRAP) === undefined ? await debianMirrorUnreachable() : undefined;
const options = skipBecause(mirror, needs(DEBOOTSTRAP, BUBBLEWRAP, OPEN_MPI));

function composition(solver: string, counts: string): string {
  return `version: 1
name: mpi-ranks
components:
  solver:
${solver}    args: { counts: ${counts} }
    env: { PYTHONDONTWRITEBYTECODE: "1" }
    meshes:
      surface: { dimension: 3, points: 5, fields: [out, in] }
  serial:
    module: ${SERIAL}
    args: { counts: [5] }
    meshes:
      surface: { dimension: 3, points: 5, fields: [out, in] }
transfers:
  - { from: solver.surface.out, to: serial.surface.in }
  - { from: serial.surface.out, to: solver.surface.in }
coupling:
  order: [solver, serial]
  iterations: 10
  wait: { strategy: block }
  timeouts: { startup_ms: 120000, step_ms: 30000 }
`;
}

function fieldsOf(results: string): Map<string, Buffer> {
  const entries = readdirSync(results);
  assert.equal(entries.length, 1, entries.join(", "));
  const directory = join(results, entries[0] as string);
  const record = readRunRecord(directory);
  assert.equal(record.status, "completed", record.error);
  return new Map(record.fields.map((field) => [field.file, readFileSync(join(directory, field.file))]));
}

// A cold build of the LAMMPS stack took 61 s here; shared with lammps-crack's test through the suite's store.
test("a container's own mpirun starts 3 ranks of a Python component: the serial run's fields, bit for bit", {
  ...options,
  timeout: 900_000,
}, async (t) => {
  const built = await runToEnd(startCli(t, ["stack", "build", "--quiet", STACK_SPEC], environment));
  assert.equal(built.code, 0, built.stderr);
  const ranked = join(scratch, "ranked.yaml");
  writeFileSync(
    ranked,
    composition(
      `    enclave: { kind: container, container: { runtime: bubblewrap, stack: lammps } }
    command: [python3, ${FIXTURE}]
    ranks: 3
    launcher: mpirun
`,
      "[2, 0, 3]",
    ),
  );
  const serial = join(scratch, "serial.yaml");
  writeFileSync(serial, composition(`    command: [/usr/bin/python3, ${FIXTURE}]\n`, "[5]"));
  const rankedResults = join(scratch, "ranked-runs");
  const ran = await runToEnd(startCli(t, ["run", ranked, "--results", rankedResults], environment));
  assert.equal(ran.code, 0, ran.stderr);
  const serialResults = join(scratch, "serial-runs");
  const ranSerial = await runToEnd(startCli(t, ["run", serial, "--results", serialResults], environment));
  assert.equal(ranSerial.code, 0, ranSerial.stderr);
  const expected = fieldsOf(serialResults);
  const actual = fieldsOf(rankedResults);
  assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort());
  for (const [file, bytes] of expected) assert.ok(actual.get(file)?.equals(bytes), `${file} as the serial run's`);
  const record = readRunRecord(join(rankedResults, readdirSync(rankedResults)[0] as string));
  assert.equal(record.ranks?.solver?.ranks, 3);
});
