// examples/heat-fenics for real: preCICE's partitioned heat case solved by
// finite elements in FEniCS versions no single host can hold, each participant
// in a container on its own Debian stack. Each stack (FEniCSx 0.5 on bookworm,
// FEniCSx 0.9 on trixie, legacy FEniCS 2019 on bookworm) is built once, into
// the stack store the command line uses (CONFLUX_STACKS, else
// ~/.cache/conflux/stacks): it is content-addressed, so a stack already there is
// reused, and a cold machine builds each once (1.6 to 2 GB each, which a
// scratch store would build again every run). The FEniCSx pair builds first,
// both at once; the legacy stack then builds in the background while the
// FEniCSx tests run. Each FEniCS adapter of the Python client is checked on its
// stacks, and both compositions run with each acceleration: in every window the
// coupling converges and both sides' relative L2 error against u is below 1e-8
// (the tolerance preCICE's tutorial asserts). Needs root (debootstrap), the
// Debian mirror and bubblewrap; the participants refusing a host without their
// FEniCS needs only python3.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, type TestContext, test } from "node:test";
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
const ERROR_LINE = /^window (\d+), t = ([0-9.]+): relative L2 error = (\S+)$/;

const mirror = await debianMirrorUnreachable();
const options = skipBecause(mirror, needs(DEBOOTSTRAP, BUBBLEWRAP));

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function runToEnd(fixture: Fixture): Promise<Finished> {
  let stdout = "";
  fixture.child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  const { code } = await fixture.exited;
  return { code, stdout, stderr: fixture.stderr() };
}

// A build outlives the test that starts it (the legacy stack's builds beside the FEniCSx tests), so it is tied to
// the file, not to a test: whatever still runs when the file ends is killed.
const builds = new Map<string, Promise<Finished>>();
const building = new Set<ChildProcess>();
after(() => {
  for (const child of building) child.kill("SIGKILL");
});

/** `conflux stack build` of the example's spec `name`, started once per file. */
function buildStack(name: string): Promise<Finished> {
  const started = builds.get(name);
  if (started !== undefined) return started;
  const child = spawn(
    process.execPath,
    [join(projectRoot, "bin/conflux.js"), "stack", "build", "--quiet", join(example, `${name}.stack.yaml`)],
    { cwd: projectRoot, stdio: ["ignore", "pipe", "pipe"] },
  );
  building.add(child);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const build = new Promise<Finished>((resolve) => {
    child.once("close", (code) => {
      building.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
  builds.set(name, build);
  return build;
}

async function builtOrReused(t: TestContext, name: string): Promise<void> {
  const build = await buildStack(name);
  assert.equal(build.code, 0, build.stderr);
  // Reused under the name it was first built with (the name is no part of the hash), or built now.
  assert.match(build.stdout, /^stack \S+ [0-9a-f]{12}: (built in [\d.]+ s|already built: reused)/, name);
  t.diagnostic(`${name}: ${build.stdout.split("\n")[0]}`);
}

/** A run of adapter_check.py with one component on each of `stacks`: each passes every check. */
async function checkAdapters(t: TestContext, stacks: readonly (readonly [string, string, RegExp])[]): Promise<void> {
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
      ...stacks.map(([stack, adapter]) => component(stack, adapter)),
      "coupling:",
      "  iterations: 1",
      `  order: [${stacks.map(([stack]) => stack).join(", ")}]`,
      "  timeouts: { startup_ms: 120000 }",
      "",
    ].join("\n"),
  );
  const run = await runToEnd(startCli(t, ["run", "--quiet", "--results", join(directory, "runs"), composition]));
  assert.equal(run.code, 0, run.stderr);
  for (const [stack, , version] of stacks) {
    const lines = run.stderr.split("\n").filter((line) => line.startsWith(`[${stack}] `));
    assert.match(lines.find((line) => / adapter on /.test(line)) ?? "", version, `${stack}: ${lines.join("\n")}`);
    const checks = lines.filter((line) => / check .*: ok$/.test(line));
    assert.equal(checks.length, 9, `${stack} passed every check:\n${lines.join("\n")}`);
    assert.ok(
      checks.some((line) => /refused a vector space: .*(block size 2|2 sub-spaces)/.test(line)),
      `${stack}: ${lines.join("\n")}`,
    );
  }
}

function windowErrors(run: ExampleRun, side: string): { window: number; error: number }[] {
  return run.lines
    .filter((line) => line.component === side)
    .map((line) => ERROR_LINE.exec(line.text))
    .filter((match) => match !== null)
    .map((match) => ({ window: Number(match[1]), error: Number(match[3]) }));
}

const iterationsOf: Record<string, number[]> = {};

/** Runs the example's composition `file` (its commands made absolute) and checks every window on both sides. */
async function checkComposition(t: TestContext, pair: string, acceleration: string, file: string, most: number) {
  const run = await runExample(join(example, file), scratchDirectory(t), (document) => {
    for (const side of ["Dirichlet", "Neumann"]) {
      const component = componentOf(document, side);
      component.command = (component.command ?? []).map((part) =>
        typeof part === "string" && part.startsWith("./") ? join(example, part.slice(2)) : part,
      );
    }
  });
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
}

// Cold, the pair builds at once in about two minutes on two cores; a busy machine takes longer.
test("heat-fenics: the FEniCSx 0.5 and 0.9 stacks build, or are reused from the store", {
  ...options,
  timeout: 900_000,
}, async (t) => {
  await Promise.all([builtOrReused(t, "fenicsx05"), builtOrReused(t, "fenicsx09")]);
  void buildStack("fenics2019"); // in the background, while the FEniCSx tests run
});

test("heat-fenics: the FEniCSx adapter on dolfinx 0.5 and 0.9, in one run", options, async (t) => {
  await checkAdapters(t, [
    ["fenicsx05", "fenicsx", /dolfinx 0\.5\.\d/],
    ["fenicsx09", "fenicsx", /dolfinx 0\.9\.\d/],
  ]);
});

for (const [acceleration, file, most] of [
  ["constant 0.5", "conflux.yaml", 40],
  ["Aitken", "conflux.aitken.yaml", 20],
] as const) {
  test(`heat-fenics, FEniCSx 0.5 + 0.9, ${acceleration}: every window converges to u within 1e-8`, options, (t) =>
    checkComposition(t, "FEniCSx 0.5 + 0.9", acceleration, file, most),
  );
}

test(
  "heat-fenics: the FEniCSx 0.5 participant on the 0.9 stack refuses, naming the dolfinx it found",
  options,
  async (t) => {
    const run = await runExample(join(example, "conflux.yaml"), scratchDirectory(t), (document) => {
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

// Started when the FEniCSx pair was built; cold it takes about a minute and a half more, alone.
test(
  "heat-fenics: the legacy FEniCS 2019 stack builds, or is reused from the store",
  {
    ...options,
    timeout: 900_000,
  },
  (t) => builtOrReused(t, "fenics2019"),
);

test("heat-fenics: the legacy FEniCS adapter on dolfin 2019", options, async (t) => {
  await checkAdapters(t, [["fenics2019", "fenics", /dolfin 2019\.\d/]]);
});

for (const [acceleration, file, most] of [
  ["constant 0.5", "conflux.legacy.yaml", 40],
  ["Aitken", "conflux.legacy.aitken.yaml", 20],
] as const) {
  test(
    `heat-fenics, FEniCS 2019 + FEniCSx 0.9, ${acceleration}: every window converges to u within 1e-8, as FEniCSx 0.5 does`,
    options,
    (t) => checkComposition(t, "FEniCS 2019 + FEniCSx 0.9", acceleration, file, most),
  );
}
