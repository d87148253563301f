// `conflux client c|python`: the directories of this conflux's clients, as a
// Makefile's $(shell conflux client c) reads them, and a language it has no
// client for refused by name.
import assert from "node:assert/strict";
import { existsSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { projectRoot } from "../support/child-process.ts";
import { runConflux } from "../support/run-conflux.ts";

test("conflux client prints the real directory of the C and the Python client, one line each", () => {
  for (const [language, file] of [
    ["c", "conflux.h"],
    ["python", "conflux/__init__.py"],
  ] as const) {
    const printed = runConflux(["client", language], projectRoot, 60_000);
    assert.equal(printed.code, 0, printed.stderr);
    assert.equal(printed.stdout, `${realpathSync(join(projectRoot, "clients", language))}\n`);
    assert.ok(existsSync(join(printed.stdout.trim(), file)));
  }
});

test("conflux client refuses a language it has no client for, naming the ones it has", () => {
  const refused = runConflux(["client", "fortran"], projectRoot, 60_000);
  assert.equal(refused.code, 2);
  assert.equal(refused.stdout, "");
  assert.match(refused.stderr, /client "fortran": the clients are c and python/);
});
