// A component of the time API's tests (time-api.test.ts), in TypeScript on
// the SDK: the same as time_component.c (a mesh "m" with fields "in", which the
// driver writes, and "out", which this component writes with what it read at
// each step's end).
import { Component } from "../../src/component/index.ts";

const app = Component.connect();
try {
  const count = (app.args.count as number | undefined) ?? 3;
  const solverDt = (app.args.dt as number | undefined) ?? 0.025;
  const mode = (app.args.mode as string | undefined) ?? "normal";
  const mesh = app.shareMesh("m", { dimension: 1, count, layout: "soa", fields: ["in", "out"] });
  const out = mesh.field("out");
  for (let j = 0; j < count; j++) {
    mesh.coordinates[j] = j;
    out[j] = 10 * j;
  }
  app.ready();
  let t = 0;
  let saved = 0;
  let last = "";
  while (app.isCouplingOngoing()) {
    const where = `${app.window()} ${app.iteration()}`;
    if (where !== last) {
      last = where;
      process.stdout.write(`attempt ${where} ${app.time()}\n`);
    }
    if (app.requiresWritingCheckpoint()) {
      saved = t;
      app.checkpointWritten(t);
    }
    if (app.requiresReadingCheckpoint() && mode !== "ignore-restore") {
      t = saved;
      app.checkpointRestored(t);
    }
    const left = app.maxTimeStep();
    const dt = mode === "overstep" ? 2 * left : mode === "substeps" ? solverDt : Math.min(solverDt, left);
    out.set(app.read("m", "in", mode === "overstep" ? left : dt));
    app.advance(dt);
    t += dt;
  }
  app.close();
  process.stdout.write("bye\n");
} catch (error) {
  process.stderr.write(`ERROR (${(error as Error).name}): ${(error as Error).message}\n`);
  app.close();
  process.exitCode = 1;
}
