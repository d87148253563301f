// The implicit benchmark's plans are the examples' compositions: for every
// variant, the coupling in time, the transfers and the meshes equal what the
// runner makes of the example's file (only how the participants are launched
// differs: the benchmark builds them into a scratch directory).
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { HEAT_VARIANTS, heatPlan, type Programs, TUBE_VARIANTS, tubePlan } from "../../src/bench/implicit/cases.ts";
import { loadComposition } from "../../src/compose/index.ts";
import type { CouplingPlan } from "../../src/coupling/plan.ts";
import { couplingPlan } from "../../src/runner/coupling-plan.ts";
import { projectRoot } from "../support/child-process.ts";

const PROGRAMS: Programs = {
  python: "python3",
  neumann: "neumann",
  fluid: "fluid",
  dirichlet: "dirichlet",
  solid: "solid",
};

const FILES: Record<string, Record<string, string>> = {
  heat: {
    constant: "conflux.yaml",
    aitken: "conflux.aitken.yaml",
    "iqn-ils": "conflux.iqn-ils.yaml",
    "iqn-ils-defaults": "conflux.iqn-ils-defaults.yaml",
    "iqn-imvj": "conflux.iqn-imvj.yaml",
  },
  tube: {
    constant: "conflux.constant.yaml",
    aitken: "conflux.aitken.yaml",
    "iqn-ils": "conflux.yaml",
    "iqn-imvj": "conflux.iqn-imvj.yaml",
  },
};

function coupled(plan: CouplingPlan): unknown {
  return {
    time: plan.time,
    transfers: plan.transfers,
    order: plan.order,
    wait: plan.wait,
    meshes: plan.components.map((component) => [component.name, component.meshes, component.launch.args]),
  };
}

for (const [caseName, variants, plan, directory] of [
  ["heat", HEAT_VARIANTS, heatPlan, "examples/partitioned-heat"],
  ["tube", TUBE_VARIANTS, tubePlan, "examples/elastic-tube-1d"],
] as const) {
  for (const variant of variants) {
    test(`bench implicit's ${caseName} ${variant.name} is ${FILES[caseName]?.[variant.name]}`, () => {
      const file = FILES[caseName]?.[variant.name];
      assert.ok(file, `an example composition for ${variant.name}`);
      const composition = loadComposition(join(projectRoot, directory, file), { checkFiles: false });
      assert.deepEqual(coupled(plan(variant, PROGRAMS)), coupled(couplingPlan(composition)));
    });
  }
}
