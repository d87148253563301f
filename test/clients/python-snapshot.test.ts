// An asynchronous coupling across processes, both ends on the Python client
// and the real driver between them: a writer publishing as fast as it can, a
// reader that runs free (left out of coupling.order) and sleeps between reads.
// Every copy the reader keeps is whole, it skips what it was too slow for and
// counts it, and it always gets the last snapshot. A writer that writes out of
// turn is named by its reader, and the run fails naming the reader.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { type Fixture, projectRoot, startCli } from "../support/child-process.ts";
import { NUMPY, needs, numpyPython, PYTHON, pythonCommand } from "../support/requirements.ts";
import { pythonEnvironment } from "./toolchain.ts";

const fixtures = join(projectRoot, "test/clients/fixtures");

interface Setup {
  python: string;
  numpy: boolean;
  iterations: number;
  perStep: number;
  sleepMs: number;
  hostile?: "backwards" | "odd";
}

function composition(directory: string, setup: Setup): string {
  const environment = JSON.stringify(pythonEnvironment(setup.numpy ? {} : { CONFLUX_NO_NUMPY: "1" }));
  const file = join(directory, "conflux.yaml");
  writeFileSync(
    file,
    `version: 1
name: snapshots
components:
  writer:
    command: [${setup.python}, ${join(fixtures, "snapshot_writer.py")}]
    args: { points: 4000, per_step: ${setup.perStep}, pause_ms: 10${setup.hostile === undefined ? "" : `, hostile: ${setup.hostile}`} }
    env: ${environment}
    meshes:
      atoms: { dimension: 3, points: 4000, layout: interleaved, fields: [id, value] }
  reader:
    command: [${setup.python}, ${join(fixtures, "snapshot_reader.py")}]
    args: { sleep_ms: ${setup.sleepMs} }
    env: ${environment}
asynchronous:
  - { from: writer.atoms, to: reader.atoms }
coupling:
  iterations: ${setup.iterations}
  order: [writer]
`,
  );
  return file;
}

async function run(t: Parameters<typeof startCli>[0], setup: Setup) {
  const directory = mkdtempSync(join(tmpdir(), "conflux-snapshots-"));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  const fixture: Fixture = startCli(t, [
    "run",
    "--quiet",
    "--results",
    join(directory, "runs"),
    composition(directory, setup),
  ]);
  const { code } = await fixture.exited;
  return { code, stderr: fixture.stderr() };
}

for (const numpy of [true, false]) {
  test(
    `snapshots (${numpy ? "numpy" : "plain Python"}): a reader that runs free gets whole copies, skips and counts what it missed, and gets the last`,
    numpy ? needs(NUMPY) : needs(PYTHON),
    async (t) => {
      const python = (numpy ? numpyPython() : pythonCommand()) as string;
      const setup = { python, numpy, iterations: 40, perStep: numpy ? 25 : 5, sleepMs: 3 };
      const result = await run(t, setup);
      assert.equal(result.code, 0, result.stderr);
      const published = setup.iterations * setup.perStep;
      assert.match(result.stderr, new RegExp(`^\\[writer\\] published ${published}$`, "m"));
      const line = /^\[reader\] read (\d+) skipped (\d+) last (\d+) torn (\d+)$/m.exec(result.stderr);
      assert.ok(line, result.stderr);
      const [read, skipped, last, torn] = line.slice(1).map(Number) as [number, number, number, number];
      assert.equal(torn, 0, "a copy the reader kept was torn");
      assert.equal(last, published, "the reader did not get the last snapshot");
      assert.equal(read + skipped, published, "read and skipped do not add up to what was published");
      assert.ok(skipped > 0, `a reader that sleeps 3 ms a read skipped nothing of ${published}`);
      assert.ok(read >= 2, `the reader read ${read} snapshots`);
    },
  );
}

for (const hostile of ["backwards", "odd"] as const) {
  test(
    `snapshots: a writer that writes out of turn (${hostile}) is named by its reader, and the run fails`,
    needs(PYTHON),
    async (t) => {
      const setup = {
        python: pythonCommand() as string,
        numpy: false,
        iterations: 400,
        perStep: 1,
        sleepMs: 0,
        hostile,
      };
      const result = await run(t, setup);
      assert.equal(result.code, 1, result.stderr);
      const message =
        hostile === "backwards"
          ? /its latest snapshot went back from [0-3] to 4294967280; its writer wrote out of turn/
          : /no whole snapshot could be copied in 1000 tries; its writer publishes two snapshots faster than one is copied, or writes out of turn/;
      assert.match(
        result.stderr,
        new RegExp(`\\[reader\\] reader: component "reader": snapshot "writer\\.snapshot\\.atoms": ${message.source}`),
      );
      assert.match(
        result.stderr,
        /component "reader" \(process enclave, pid \d+\) exited with code 4 while the run went on \(it reads snapshots\) in iteration \d+, phase "running free"/,
      );
    },
  );
}
