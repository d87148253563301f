// The package as a user installs it, away from this checkout: `npm pack`, then
// `npm install -g` of the tarball, gives a `conflux` that starts, writes a
// TypeScript component that runs against the installed SDK, and runs a copy of
// an example whose modules import the package by name; pip installs the Python
// client from clients/python and `make install` the C client with its
// pkg-config file, and a component runs on each installed copy alone.
import assert from "node:assert/strict";
import { type SpawnSyncOptions, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { compilerCommand } from "../../src/platform/c-compiler.ts";
import { PACKAGE_NAME } from "../../src/platform/package-root.ts";
import { readRunRecord } from "../../src/record/run-record.ts";
import { projectRoot } from "../support/child-process.ts";
import { C_COMPILER, MAKE, needs, PIP, PKG_CONFIG, SETUPTOOLS, SYSTEM_PYTHON } from "../support/requirements.ts";

const CONFLUX = join(projectRoot, "bin", "conflux.js");

function scratchDirectory(t: TestContext): string {
  const directory = mkdtempSync(join(tmpdir(), "conflux-install-"));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

/** Runs a command to its end (killed past `timeout` ms), failing the test with its output when it fails. */
function run(command: string, args: string[], options: SpawnSyncOptions & { timeout: number }): string {
  const result = spawnSync(command, args, { encoding: "utf8", ...options });
  assert.equal(
    result.status,
    0,
    `${command} ${args.join(" ")} (exit ${result.status}, signal ${result.signal}):\n${result.stdout}\n${result.stderr}`,
  );
  return String(result.stdout);
}

/** The one run record a `--results` directory holds, which must have completed. */
function completedRun(results: string) {
  const [entry] = readdirSync(results);
  const record = readRunRecord(join(results, entry as string));
  assert.equal(record.status, "completed", record.error);
  return record;
}

test("the package's name is its own, and the one the code imports itself by", () => {
  const manifest = JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")) as {
    name: string;
    bin: Record<string, string>;
    exports: Record<string, unknown>;
  };
  assert.equal(manifest.name, PACKAGE_NAME);
  assert.deepEqual(Object.keys(manifest.bin), ["conflux"]);
  assert.deepEqual(Object.keys(manifest.exports).sort(), [
    "./component",
    "./compose",
    "./mapping",
    "./package.json",
    "./record",
    "./seed-demo",
  ]);
});

test("npm install -g of the packed tarball gives a conflux that runs a new component and a copied example outside the checkout", {
  timeout: 600_000,
}, (t) => {
  const scratch = scratchDirectory(t);
  // prepack builds the JavaScript into the tarball; the install builds the addon on the user's machine.
  run("npm", ["pack", "--pack-destination", scratch, "--silent"], { cwd: projectRoot, timeout: 120_000 });
  const tarball = readdirSync(scratch).find((name) => name.endsWith(".tgz"));
  assert.equal(tarball, `${PACKAGE_NAME}-0.1.0.tgz`);
  const prefix = join(scratch, "prefix");
  run(
    "npm",
    [
      "install",
      "--global",
      "--prefix",
      prefix,
      "--prefer-offline",
      "--no-audit",
      "--no-fund",
      `--allow-scripts=${PACKAGE_NAME},esbuild`,
      join(scratch, tarball as string),
    ],
    { cwd: scratch, timeout: 400_000 },
  );
  const installed = realpathSync(join(prefix, "lib", "node_modules", PACKAGE_NAME));
  const work = join(scratch, "work");
  mkdirSync(work);
  const environment = { ...process.env, PATH: `${join(prefix, "bin")}:${process.env.PATH}` };
  const conflux = (args: string[], cwd: string) => run("conflux", args, { cwd, env: environment, timeout: 120_000 });

  assert.match(conflux(["--help"], work), /Usage: conflux/);

  conflux(["init", "--language", "ts", "solver"], work);
  const solver = join(work, "solver");
  assert.equal(realpathSync(join(solver, "node_modules", PACKAGE_NAME)), installed);
  conflux(["run", "conflux.yaml", "--results", "runs", "--quiet"], solver);
  const solverRun = completedRun(join(solver, "runs"));
  assert.equal(solverRun.iterations.completed, 40);

  // An example copied out as a user would, its package installed beside it the way `npm install` links it.
  const example = join(work, "seed-dtk");
  cpSync(join(projectRoot, "examples", "seed-dtk"), example, {
    recursive: true,
    filter: (source) => !source.includes("conflux-runs"),
  });
  mkdirSync(join(work, "node_modules"));
  symlinkSync(installed, join(work, "node_modules", PACKAGE_NAME), "dir");
  conflux(["run", join(example, "conflux.yaml"), "--iterations", "5", "--results", "runs", "--quiet"], work);
  const exampleRun = completedRun(join(work, "runs"));
  const sources = exampleRun.inputs.filter((input) => input.role === "module source").map((input) => input.path);
  assert.ok(
    sources.some((path) => path.startsWith(join(installed, "build", "lib"))),
    `the example's modules import the installed package's surfaces: ${sources.join(", ")}`,
  );
  assert.deepEqual(
    sources.filter((path) => path.startsWith(projectRoot)),
    [],
    "nothing of the checkout",
  );
});

test(
  "pip installs the Python client from clients/python, and a Python component runs on that copy alone",
  needs(PIP, SETUPTOOLS),
  (t) => {
    const scratch = scratchDirectory(t);
    // From a copy: a build leaves build/ and *.egg-info beside its sources.
    const source = join(scratch, "python-client");
    cpSync(join(projectRoot, "clients", "python"), source, {
      recursive: true,
      filter: (path) => !path.includes("__pycache__"),
    });
    const site = join(scratch, "site");
    run(
      SYSTEM_PYTHON,
      ["-m", "pip", "install", "--no-build-isolation", "--no-index", "--no-deps", "--target", site, source],
      { cwd: scratch, timeout: 120_000, env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: "1" } },
    );
    assert.ok(readdirSync(site).some((name) => name.startsWith("conflux_coupling-0.1.0.dist-info")));

    run(process.execPath, [CONFLUX, "init", "--language", "python", "solver"], { cwd: scratch, timeout: 60_000 });
    const solver = join(scratch, "solver");
    const composition = join(solver, "conflux.yaml");
    const text = readFileSync(composition, "utf8");
    // The composition names no client: `conflux run` appends its own to PYTHONPATH, after any the caller gives.
    assert.ok(!text.includes(join(projectRoot, "clients", "python")), text);
    run(process.execPath, [CONFLUX, "run", "conflux.yaml", "--results", "runs", "--quiet"], {
      cwd: solver,
      timeout: 120_000,
      env: { ...process.env, PYTHONPATH: site },
    });
    const record = completedRun(join(solver, "runs"));
    const clients = record.inputs.filter((input) => input.role === "client source").map((input) => input.path);
    assert.ok(
      clients.some((path) => path.startsWith(site)),
      `the component loaded the installed client: ${clients.join(", ")}`,
    );
  },
);

test(
  "make install puts the C client, its header and its pkg-config file under PREFIX, and a component builds and runs on them",
  needs(C_COMPILER, MAKE, PKG_CONFIG),
  (t) => {
    const scratch = scratchDirectory(t);
    const client = join(scratch, "c-client");
    cpSync(join(projectRoot, "clients", "c"), client, { recursive: true });
    const prefix = join(scratch, "prefix");
    run("make", ["-C", client, "install", `PREFIX=${prefix}`], { timeout: 120_000 });
    for (const file of ["include/conflux.h", "lib/libconflux.a", "lib/pkgconfig/conflux.pc"]) {
      assert.ok(readdirSync(join(prefix, file, "..")).includes(file.split("/").pop() as string), file);
    }
    const flags = run("pkg-config", ["--cflags", "--libs", "conflux"], {
      timeout: 30_000,
      env: { ...process.env, PKG_CONFIG_PATH: join(prefix, "lib", "pkgconfig") },
    })
      .trim()
      .split(/\s+/);
    assert.ok(flags.includes(`-I${join(prefix, "include")}`), flags.join(" "));
    assert.ok(flags.includes("-lconflux"), flags.join(" "));

    run(process.execPath, [CONFLUX, "init", "--language", "c", "solver"], { cwd: scratch, timeout: 120_000 });
    const solver = join(scratch, "solver");
    // The component built again on the installed library instead of the client's source the scaffold compiles in.
    rmSync(join(solver, "component"));
    run(compilerCommand() as string, ["-std=c99", "-O2", "component.c", ...flags, "-lm", "-o", "component"], {
      cwd: solver,
      timeout: 60_000,
    });
    run(process.execPath, [CONFLUX, "run", "conflux.yaml", "--results", "runs", "--quiet"], {
      cwd: solver,
      timeout: 120_000,
    });
    assert.equal(completedRun(join(solver, "runs")).iterations.completed, 40);
  },
);
