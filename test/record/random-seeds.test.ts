import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parseComposition } from "../../src/compose/load.ts";
import { randomSeeds } from "../../src/record/random-seeds.ts";
import { projectRoot } from "../support/child-process.ts";

test("seeds come from args named seed or *_seed(s) and from SEED variables, the composition's env first", () => {
  const file = join(projectRoot, "examples/seed-dtk/conflux.yaml");
  const text = readFileSync(file, "utf8").replace(
    "args: { points: 3000, seed: 2, sweeps: 3 }",
    'args: { points: 3000, mesh_seeds: [3, 4], sweeps: 3 }\n    env: { CONFLUX_SEED: "9" }',
  );
  const composition = parseComposition(text, file);
  assert.deepEqual(randomSeeds(composition, { CONFLUX_SEED: "5", PYTHONHASHSEED: "0", HOME: "/root" }), [
    { component: "appA", source: "args.seed", value: 1 },
    { component: "appA", source: "env CONFLUX_SEED", value: "5" },
    { component: "appA", source: "env PYTHONHASHSEED", value: "0" },
    { component: "appB", source: "args.mesh_seeds", value: [3, 4] },
    { component: "appB", source: "env CONFLUX_SEED", value: "9" },
    { component: "appB", source: "env PYTHONHASHSEED", value: "0" },
  ]);
});
