// A finished run's view from its directory: a real run's record and fields as the view serves them, and a
// directory whose field files were damaged afterwards: each bad file is left out with a note naming it and
// what is wrong, and everything else is still shown.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { runDirectoryState } from "../../src/view/index.ts";
import { scratchDirectory, timePairComponents } from "../cli/time-pair.ts";
import { runToEnd, startCli } from "../support/child-process.ts";

test("a run directory's state, and the notes for the field files damaged after the run", async (t) => {
  const directory = scratchDirectory(t, "view-state");
  const results = join(directory, "runs");
  const file = join(directory, "conflux.yaml");
  writeFileSync(
    file,
    `${timePairComponents()}coupling:\n  scheme: serial-explicit\n  order: [A, B]\n  window: 0.1\n  max_time: 0.3\nresults:\n  directory: ${results}\n`,
  );
  const ran = await runToEnd(startCli(t, ["run", file, "--quiet"], { CONFLUX_SHM_ROOT: scratchDirectory(t, "shm") }));
  assert.equal(ran.code, 0, ran.stderr);
  const run = join(results, readdirSync(results)[0] as string);

  const state = await runDirectoryState(run);
  assert.equal(state.progress.running, false);
  assert.equal(state.progress.status, "completed");
  assert.equal(state.progress.completed, 3);
  assert.deepEqual(state.notes, []);
  assert.deepEqual(
    state.meshes.map((mesh) => [mesh.mesh, mesh.points, mesh.fields.map((field) => field.field)]),
    [
      ["A.m", 4, ["x", "y"]],
      ["B.m", 4, ["x", "y"]],
    ],
  );
  const saved = new Float64Array(Uint8Array.from(readFileSync(join(run, "fields", "B.m.x.f64"))).buffer);
  assert.deepEqual(state.meshes[1]?.fields[0]?.values, [...saved]);

  // Damaged after the run: a field one double short, one not a whole number of doubles, one gone.
  writeFileSync(join(run, "fields", "A.m.x.f64"), new Uint8Array(new Float64Array([1, 2, 3]).buffer));
  truncateSync(join(run, "fields", "A.m.y.f64"), 7);
  rmSync(join(run, "fields", "B.m.y.f64"));
  const damaged = await runDirectoryState(run);
  assert.deepEqual(damaged.notes, [
    "field A.m.x is not shown: it holds 3 values for 4 points",
    `field A.m.y is not shown: ${join(run, "fields", "A.m.y.f64")} holds 7 bytes, not a whole number of doubles`,
    `field B.m.y is not shown: ${join(run, "fields", "B.m.y.f64")} cannot be read (ENOENT)`,
  ]);
  assert.deepEqual(
    damaged.meshes.map((mesh) => [mesh.mesh, mesh.fields.map((field) => field.field)]),
    [
      ["A.m", []],
      ["B.m", ["x"]],
    ],
  );
  // The coordinates' file a point short of a whole one: the mesh is not shown, the other is.
  truncateSync(join(run, "fields", "B.m.coordinates.f64"), 9);
  const noMesh = await runDirectoryState(run);
  assert.deepEqual(
    noMesh.meshes.map((mesh) => mesh.mesh),
    ["A.m"],
  );
  assert.match(noMesh.notes.join("\n"), /mesh B\.m is not shown: .*B\.m\.coordinates\.f64 holds 9 bytes/);
});
