// appA written in C (examples/c-component/app_a.c, on the C client) coupled
// with the TypeScript appB by the real driver, across processes: the result is
// the single-process reference's, bit for bit. Plus what a C component says
// when it is started wrongly.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { compilerCommand } from "../../src/platform/c-compiler.ts";
import { projectRoot } from "../support/child-process.ts";
import { C_COMPILER, MAKE, meets, needs, PKG_CONFIG } from "../support/requirements.ts";
import { startProgram } from "./programs.ts";
import { assertCompleted, differencesFromReference, planWithCommand, runSeed } from "./seed-coupling.ts";
import { C_CLIENT, compileWithClient, scratchDirectory } from "./toolchain.ts";

const options = needs(C_COMPILER);

test(
  "appA in C coupled with appB in TypeScript, 500 iterations, matches the reference bit for bit",
  options,
  async (t) => {
    const binary = compileWithClient(scratchDirectory(t), "app_a", ["examples/c-component/app_a.c"]);
    const run = await runSeed(planWithCommand(500, "appA", [binary]), 200);
    assertCompleted(run, 500, 200);
    for (const [field, difference] of differencesFromReference(run, 500)) {
      assert.equal(difference, 0, `${field} differs from the reference by ${difference}`);
    }
  },
);

test("a C component started without CONFLUX_RUN_DIR exits non-zero and names the variable", options, async (t) => {
  const binary = compileWithClient(scratchDirectory(t), "app_a", ["examples/c-component/app_a.c"]);
  const program = startProgram(t, [binary], { CONFLUX_COMPONENT_NAME: "appA", CONFLUX_RUN_DIR: undefined });
  const status = await program.exited;
  assert.equal(status.code, 1);
  assert.match(program.stderr(), /CONFLUX_RUN_DIR is not set: start this component through `conflux run`/);
});

test("a C component given a run directory that does not exist says so", options, async (t) => {
  const directory = scratchDirectory(t);
  const binary = compileWithClient(directory, "app_a", ["examples/c-component/app_a.c"]);
  const missing = join(directory, "conflux-0000000000000000");
  const program = startProgram(t, [binary], { CONFLUX_COMPONENT_NAME: "appA", CONFLUX_RUN_DIR: missing });
  assert.equal((await program.exited).code, 1);
  assert.match(program.stderr(), new RegExp(`cannot join run ${missing}: it does not exist`));
});

test(
  "a C component given malformed CONFLUX_WAIT, args or driver liveness names the variable and the key",
  options,
  async (t) => {
    const directory = scratchDirectory(t);
    const binary = compileWithClient(directory, "app_a", ["examples/c-component/app_a.c"]);
    const wait = startProgram(t, [binary], {
      CONFLUX_COMPONENT_NAME: "appA",
      CONFLUX_RUN_DIR: directory,
      CONFLUX_WAIT: '{"kind":"sleepy"}',
    });
    assert.equal((await wait.exited).code, 1);
    assert.match(
      wait.stderr(),
      /CONFLUX_WAIT=\{"kind":"sleepy"\}: wait strategy "sleepy" is not one of spin, hybrid, block/,
    );
    const args = startProgram(t, [binary], {
      CONFLUX_COMPONENT_NAME: "appA",
      CONFLUX_RUN_DIR: directory,
      CONFLUX_COMPONENT_ARGS: "[1, 2]",
    });
    assert.equal((await args.exited).code, 1);
    assert.match(args.stderr(), /CONFLUX_COMPONENT_ARGS is not a JSON object: \[1, 2\]/);
    const liveness = startProgram(t, [binary], {
      CONFLUX_COMPONENT_NAME: "appA",
      CONFLUX_RUN_DIR: directory,
      CONFLUX_DRIVER_LIVENESS: "namespace",
    });
    assert.equal((await liveness.exited).code, 1);
    assert.match(liveness.stderr(), /CONFLUX_DRIVER_LIVENESS is "namespace"; it must be "pid" or "enclave"/);
  },
);

test(
  "the C client builds with its Makefile, and pkg-config gives the flags to build against it",
  options,
  async (t) => {
    if (!meets(t, MAKE, PKG_CONFIG)) return;
    const directory = scratchDirectory(t);
    const client = join(directory, "client");
    mkdirSync(client);
    for (const file of ["conflux.c", "conflux.h", "Makefile", "conflux.pc.in", "conflux-uninstalled.pc.in"]) {
      cpSync(join(C_CLIENT, file), join(client, file));
    }
    const compiler = compilerCommand() as string;
    const build = spawnSync("make", ["-C", client, `CC=${compiler}`, "CFLAGS=-O2 -Werror"], { encoding: "utf8" });
    assert.equal(build.status, 0, build.stderr);
    const flags = spawnSync("pkg-config", ["--cflags", "--libs", "conflux"], {
      encoding: "utf8",
      env: { ...process.env, PKG_CONFIG_PATH: client },
    });
    assert.equal(flags.status, 0, flags.stderr);
    assert.match(flags.stdout, new RegExp(`-I${client}`));
    const binary = join(directory, "app_a");
    const link = spawnSync(
      compiler,
      [
        "-std=c99",
        "-O2",
        join(projectRoot, "examples/c-component/app_a.c"),
        ...flags.stdout.trim().split(/\s+/),
        "-lm",
        "-o",
        binary,
      ],
      { encoding: "utf8" },
    );
    assert.equal(link.status, 0, link.stderr);
    // And the header is usable from C++, through its extern "C" block.
    const cxx = ["c++", "g++", "clang++"].find(
      (name) => spawnSync(name, ["--version"], { stdio: "ignore" }).status === 0,
    );
    if (cxx !== undefined) {
      const source = join(directory, "uses-header.cc");
      writeFileSync(
        source,
        '#include "conflux.h"\nint main() { cfx_component *c = nullptr; int rc = cfx_connect(&c); cfx_close(c); return rc == CFX_OK ? 0 : 1; }\n',
      );
      const built = spawnSync(
        cxx,
        [
          "-Wall",
          "-Wextra",
          "-Werror",
          source,
          join(client, "libconflux.a"),
          `-I${client}`,
          "-o",
          join(directory, "uses-header"),
        ],
        {
          encoding: "utf8",
        },
      );
      assert.equal(built.status, 0, built.stderr);
    }
  },
);
