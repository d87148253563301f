// The gate every test that needs a Debian package goes through (needs() in
// requirements.ts), tried on a test of its own in a child process: a
// requirement whose program is on no machine skips the test, naming the
// package, its apt-get line and `conflux doctor`; with
// CONFLUX_TEST_REQUIRE=all the same test fails without running. Without this,
// a gate that stopped skipping, or stopped failing in CI, would go unnoticed:
// every other test only ever sees the machine it runs on.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { pathToFileURL } from "node:url";
import { projectRoot } from "./child-process.ts";
import { REQUIRE_VARIABLE } from "./requirements.ts";

/** A package name no archive has, brought in by a program no machine has: missing on every machine. */
const ABSENT = "conflux-gate-probe-absent";

/** The child test file: one test behind needs(), which says so if its body runs. */
function childTest(): string {
  const requirements = pathToFileURL(join(projectRoot, "test/support/requirements.ts")).href;
  const executable = pathToFileURL(join(projectRoot, "src/platform/executable.ts")).href;
  return `import { test } from "node:test";
import { findExecutable } from ${JSON.stringify(executable)};
import { needs } from ${JSON.stringify(requirements)};

// Probed as the suite's own requirements are: a program looked up on PATH.
const absent = {
  package: ${JSON.stringify(ABSENT)},
  debian: true,
  missing: () => (findExecutable(${JSON.stringify(ABSENT)}) === undefined ? "${ABSENT} is not on PATH" : undefined),
};

test("behind the gate", needs(absent), () => {
  console.log("the body ran");
});
`;
}

function runChild(t: TestContext, required: boolean) {
  const directory = mkdtempSync(join(tmpdir(), "conflux-gate-"));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  const file = join(directory, "gate.test.ts");
  writeFileSync(file, childTest());
  const environment = { ...process.env };
  // node --test marks its children as its own (NODE_TEST_CONTEXT); the test file started here reports for itself.
  delete environment.NODE_TEST_CONTEXT;
  delete environment[REQUIRE_VARIABLE];
  if (required) environment[REQUIRE_VARIABLE] = "all";
  // The file run as a program, not under --test, runs its test in that one process: a kill on the timeout leaves
  // no test process of its own behind. tap: one line per test with its directive.
  const child = spawnSync(process.execPath, ["--import", "tsx", "--test-reporter=tap", file], {
    cwd: projectRoot,
    env: environment,
    encoding: "utf8",
    timeout: 120_000,
    killSignal: "SIGKILL",
  });
  return { code: child.status, output: `${child.stdout}${child.stderr}` };
}

test("a missing Debian package skips its test, naming the package, its apt-get line and conflux doctor", (t) => {
  const { code, output } = runChild(t, false);
  assert.equal(code, 0, output);
  const skipped = output.match(/^ok 1 - behind the gate # SKIP (.*)$/m);
  assert.ok(skipped, `the test is reported skipped:\n${output}`);
  assert.equal(
    skipped[1],
    `needs ${ABSENT} (${ABSENT} is not on PATH); apt-get install -y ${ABSENT}; \`npx conflux doctor\` says what this machine lacks`,
  );
  assert.match(output, /^# skipped 1$/m);
  assert.doesNotMatch(output, /the body ran/);
});

test(`with ${REQUIRE_VARIABLE}=all a missing Debian package fails its test, which does not run`, (t) => {
  const { code, output } = runChild(t, true);
  assert.equal(code, 1, output);
  assert.match(output, /^not ok 1 - behind the gate$/m);
  assert.ok(
    output.includes(
      `error: '${REQUIRE_VARIABLE}=all, but this test needs ${ABSENT} (${ABSENT} is not on PATH); apt-get install -y ${ABSENT}; \`npx conflux doctor\` says what this machine lacks'`,
    ),
    output,
  );
  // The gate aborts the test before it starts: node:test counts it cancelled, which test/run.js counts failed.
  assert.match(output, /^# cancelled 1$/m);
  assert.match(output, /^# skipped 0$/m);
  assert.doesNotMatch(output, /the body ran/);
});
