// examples/heat-fenics for real: preCICE's partitioned heat case solved by
// finite elements in FEniCS versions no single host can hold, each participant
// in a container on its own Debian stack. The three stacks (FEniCSx 0.5 on
// bookworm, FEniCSx 0.9 on trixie, legacy FEniCS 2019 on bookworm) are built
// once, all at once, by the first test, into the stack store the command line
// uses (CONFLUX_STACKS, else ~/.cache/conflux/stacks): it is content-addressed,
// so a stack already there is reused, and a cold machine builds each once
// (1.3 to 2 GB each, which a scratch store would build again every run). Then
// the Python client's FEniCS adapters are checked on all three, and both
// compositions run with each acceleration: in every window the coupling
// converges and both sides' relative L2 error against u is below 1e-8 (the
// tolerance preCICE's tutorial asserts). Needs root (debootstrap), the Debian
// mirror and bubblewrap; the participants refusing a host without their
// FEniCS needs only python3.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { type Fixture, projectRoot, startCli } from "../../support/child-process.ts";
import {
  BUBBLEWRAP,
  DEBOOTSTRAP,
  debianMirrorUnreachable,
  needs,
  PYTHON,
  pythonCommand,
  skipBecause,
} from "../../support/requirements.ts";
import { scratchDirectory } from "../support.ts";
import { componentOf, convergenceOf, type ExampleRun, runExample } from "../time-runs.ts";

const example = join(projectRoot, "examples/heat-fenics");
const STACKS = ["fenicsx05", "fenicsx09", "fenics2019"] as const;
const ERROR_LINE = /^window (\d+), t = ([0-9.]+): relative L2 error = (\S+)$/;

const mirror = await debianMirrorUnreachable();
const options = skipBecause(mirror, needs(DEBOOTSTRAP, BUBBLEWRAP));

async function runToEnd(fixture: Fixture): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = "";
  fixture.child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  const { code } = await fixture.exited;
  return { code, stdout, stderr: fixture.stderr() };
}

// Cold, the three build at once in about three minutes on two cores (two minutes for the FEniCSx pair alone).
test("heat-fenics: the three FEniCS stacks build, or are reused from the store", {
  ...options,
  timeout: 900_000,
}, async (t) => {
  const builds = await Promise.all(
    STACKS.map((name) => runToEnd(startCli(t, ["stack", "build", "--quiet", join(example, `${name}.stack.yaml`)]))),
  );
  STACKS.forEach((name, index) => {
    const build = builds[index];
    assert.equal(build?.code, 0, build?.stderr);
    // Reused under the name it was first built with (the name is no part of the hash), or built now.
    assert.match(build?.stdout ?? "", /^stack \S+ [0-9a-f]{12}: (built in [\d.]+ s|already built: reused)/, name);
    t.diagnostic(`${name}: ${(build?.stdout ?? "").split("\n")[0]}`);
  });
});

test("heat-fenics: the FEniCS adapters on dolfinx 0.5, dolfinx 0.9 and dolfin 2019, in one run", options, async (t) => {
  const directory = scratchDirectory(t);
  const check = join(projectRoot, "test/examples/heat-fenics/adapter_check.py");
  const component = (stack: string, adapter: string) =>
    [
      `  ${stack}:`,
      `    enclave: { kind: container, container: { runtime: bubblewrap, stack: ${stack} } }`,
      `    command: [${check}]`,
      `    args: { adapter: ${adapter} }`,
      '    env: { PYTHONDONTWRITEBYTECODE: "1", HWLOC_HIDE_ERRORS: "2" }',
      "    meshes: { interface: { dimension: 2, points: 9, fields: [T, flux] } }",
    ].join("\n");
  const composition = join(directory, "adapters.yaml");
  writeFileSync(
    composition,
    [
      "version: 1",
      "name: fenics-adapters",
      "components:",
      component("fenicsx05", "fenicsx"),
      component("fenicsx09", "fenicsx"),
      component("fenics2019", "fenics"),
      "coupling:",
      "  iterations: 1",
      "  order: [fenicsx05, fenicsx09, fenics2019]",
      "  timeouts: { startup_ms: 120000 }",
      "",
    ].join("\n"),
  );
  const run = await runToEnd(startCli(t, ["run", "--quiet", "--results", join(directory, "runs"), composition]));
  assert.equal(run.code, 0, run.stderr);
  for (const [stack, version] of [
    ["fenicsx05", /dolfinx 0\.5\.\d/],
    ["fenicsx09", /dolfinx 0\.9\.\d/],
    ["fenics2019", /dolfin 2019\.\d/],
  ] as const) {
    const lines = run.stderr.split("\n").filter((line) => line.startsWith(`[${stack}] `));
    assert.match(lines.find((line) => / adapter on /.test(line)) ?? "", version, `${stack}: ${lines.join("\n")}`);
    const checks = lines.filter((line) => / check .*: ok$/.test(line));
    assert.equal(checks.length, 9, `${stack} passed every check:\n${lines.join("\n")}`);
    assert.ok(
      checks.some((line) => /refused a vector space: .*(block size 2|2 sub-spaces)/.test(line)),
      `${stack}: ${lines.join("\n")}`,
    );
  }
});

interface WindowError {
  window: number;
  error: number;
}

function windowErrors(run: ExampleRun, side: string): WindowError[] {
  return run.lines
    .filter((line) => line.component === side)
    .map((line) => ERROR_LINE.exec(line.text))
    .filter((match) => match !== null)
    .map((match) => ({ window: Number(match[1]), error: Number(match[3]) }));
}

/** The example's composition with its commands absolute (it is written into the test's own directory). */
async function runHeat(t: Parameters<typeof scratchDirectory>[0], file: string): Promise<ExampleRun> {
  const directory = scratchDirectory(t);
  return runExample(join(example, file), directory, (document) => {
    for (const side of ["Dirichlet", "Neumann"]) {
      const component = componentOf(document, side);
      component.command = (component.command ?? []).map((part) =>
        typeof part === "string" && part.startsWith("./") ? join(example, part.slice(2)) : part,
      );
    }
  });
}

const iterationsOf: Record<string, number[]> = {};

for (const [pair, acceleration, file, most] of [
  ["FEniCSx 0.5 + 0.9", "constant 0.5", "conflux.yaml", 40],
  ["FEniCSx 0.5 + 0.9", "Aitken", "conflux.aitken.yaml", 20],
  ["FEniCS 2019 + FEniCSx 0.9", "constant 0.5", "conflux.legacy.yaml", 40],
  ["FEniCS 2019 + FEniCSx 0.9", "Aitken", "conflux.legacy.aitken.yaml", 20],
] as const) {
  test(
    `heat-fenics, ${pair}, ${acceleration}: converges in every window to u within 1e-8 on both sides`,
    options,
    async (t) => {
      const run = await runHeat(t, file);
      assert.equal(run.outcome.failure, undefined, run.outcome.failure?.message);
      for (const side of ["Dirichlet", "Neumann"]) {
        const errors = windowErrors(run, side);
        assert.deepEqual(
          errors.map((entry) => entry.window),
          [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
          `${side} reported every window`,
        );
        for (const entry of errors) {
          assert.ok(entry.error < 1e-8, `${side}, window ${entry.window}: relative L2 error ${entry.error}`);
        }
      }
      const windows = convergenceOf(run.outcome);
      assert.equal(windows.length, 10, "the run record has the convergence of 10 windows");
      for (const window of windows) assert.ok(window.converged, `window ${window.window} converged`);
      const iterations = windows.map((window) => window.iterations);
      for (const count of iterations) assert.ok(count <= most, `${acceleration} took ${iterations.join(",")}`);
      t.diagnostic(`${pair}, ${acceleration}: iterations per window ${iterations.join(",")}`);
      for (const line of run.lines.filter((entry) => entry.text.startsWith("timings:"))) {
        t.diagnostic(`${line.component} ${line.text}`);
      }
      // The two Dirichlet participants are the same discretisation in two FEniCS codes: the same iterations.
      const other = iterationsOf[acceleration];
      if (other !== undefined) assert.deepEqual(iterations, other, "FEniCS 2019 and FEniCSx 0.5 iterate alike");
      iterationsOf[acceleration] = iterations;
    },
  );
}

test(
  "heat-fenics: the FEniCSx 0.5 participant on the 0.9 stack refuses, naming the dolfinx it found",
  options,
  async (t) => {
    const directory = scratchDirectory(t);
    const run = await runExample(join(example, "conflux.yaml"), directory, (document) => {
      const dirichlet = componentOf(document, "Dirichlet");
      dirichlet.command = [join(example, "dirichlet_fenicsx05.py")];
      dirichlet.enclave = { kind: "container", container: { runtime: "bubblewrap", stack: "fenicsx09" } };
      componentOf(document, "Neumann").command = [join(example, "neumann_fenicsx09.py")];
    });
    assert.match(run.outcome.failure?.message ?? "", /component "Dirichlet" .*exited with code 3/);
    const said = run.lines.filter((line) => line.component === "Dirichlet").map((line) => line.text);
    assert.match(said.join("\n"), /has dolfinx 0\.9\.\d+\. It is written against dolfinx 0\.5 .*stack: fenicsx05/);
  },
);

test("heat-fenics: on the host, the participants say which dolfinx they need", needs(PYTHON), async (t) => {
  // One Python holds one dolfinx at most (this host's none), so at least one side refuses to start.
  const directory = scratchDirectory(t);
  const python = pythonCommand() as string;
  writeFileSync(
    join(directory, "on-the-host.yaml"),
    readFileSync(join(example, "conflux.yaml"), "utf8")
      .replace(/ {6}container: \{ runtime: bubblewrap, stack: \w+ \}\n/g, "")
      .replaceAll("kind: container", "kind: process")
      .replace("[./dirichlet_fenicsx05.py]", `[${python}, ${join(example, "dirichlet_fenicsx05.py")}]`)
      .replace("[./neumann_fenicsx09.py]", `[${python}, ${join(example, "neumann_fenicsx09.py")}]`),
  );
  const run = await runToEnd(
    startCli(t, ["run", "--quiet", "--results", join(directory, "runs"), join(directory, "on-the-host.yaml")]),
  );
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /component "(Dirichlet|Neumann)" \(process enclave, pid \d+\) exited with code 3/);
  assert.match(
    run.stderr,
    /(cannot import dolfinx|has dolfinx [\d.]+)[^\n]*\. It is written against dolfinx 0\.[59] — run it in its own stack/,
  );
});
