// Runs every test file under test/ (node:test; Node 20 cannot discover .ts files
// itself), then, once all of them have finished, the leak check: nothing of
// ours may be left in /dev/shm, /tmp or the process table, also when a test
// failed. Prints each test file's time (test/file-times.js) and one closing
// line "N passed, N skipped, N failed".
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const testDirectory = fileURLToPath(new URL(".", import.meta.url));
const root = join(testDirectory, "..");
const leakCheck = join(testDirectory, "leaks.final.ts");
const fileTimes = join(testDirectory, "file-times.js");

function findTests(directory) {
  const found = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) found.push(...findTests(path));
    else if (entry.name.endsWith(".test.ts")) found.push(path);
  }
  return found.sort();
}

// Files that boot VM guests, start containers or build stacks take the longest
// (minutes on a cold machine). The runner starts files in the order given as its
// two slots free up, so these go first: started last, the longest would leave
// one slot running alone at the end.
const SLOW = /(^|\/)(vm|stack|container|lammps)/;

/** Where the OCI tools keep state of their own on a host: the tests must leave none of it (see leaks.final.ts). */
const OCI_STATE = ["/dev/shm/libpod_lock", "/run/libpod", "/run/containers", "/var/lib/containers"];

const filter = process.argv.slice(2);
const files = findTests(testDirectory)
  .filter((file) => filter.length === 0 || filter.some((pattern) => relative(root, file).includes(pattern)))
  .sort((a, b) => Number(SLOW.test(relative(root, b))) - Number(SLOW.test(relative(root, a))));

// Every process the suite starts inherits this marker, so the leak check can
// find stragglers by their environment.
const marker = `conflux-test-${randomBytes(4).toString("hex")}`;
// The stacks the suite's tests build, shared between test files (test/support/test-stacks.ts), removed at the end.
const testStacks = join(tmpdir(), `${marker}-stacks`);
const environment = {
  ...process.env,
  CONFLUX_TEST_MARKER: marker,
  CONFLUX_TEST_STACKS: testStacks,
  CONFLUX_TEST_SHM_BEFORE: JSON.stringify(readdirSync("/dev/shm").filter((name) => name.startsWith("conflux-"))),
  CONFLUX_TEST_TMP_BEFORE: JSON.stringify(readdirSync("/tmp").filter((name) => name.startsWith("conflux-"))),
  // What Podman, Buildah and Skopeo keep on a host where tests run them carelessly (test/support/oci-tools.ts).
  CONFLUX_TEST_OCI_BEFORE: JSON.stringify(OCI_STATE.filter((path) => existsSync(path))),
};

function runFiles(paths, concurrency, { timePerFile = false } = {}) {
  const reporters = ["--test-reporter=spec", "--test-reporter-destination=stdout"];
  if (timePerFile) reporters.push(`--test-reporter=${fileTimes}`, "--test-reporter-destination=stdout");
  const result = spawnSync(
    process.execPath,
    ["--import", "tsx", "--test", `--test-concurrency=${concurrency}`, ...reporters, "--test-timeout=600000", ...paths],
    { cwd: root, env: environment, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8", maxBuffer: 1 << 28 },
  );
  process.stdout.write(result.stdout);
  const count = (label) => Number(result.stdout.match(new RegExp(`^ℹ ${label} (\\d+)$`, "m"))?.[1] ?? 0);
  // A test cancelled before it ran (test/support/requirements.ts fails one that way under
  // CONFLUX_TEST_REQUIRE=all) has failed too.
  const failed = count("fail") + count("cancelled");
  return {
    passed: count("pass"),
    skipped: count("skipped"),
    failed: failed + (result.status !== 0 && failed === 0 ? 1 : 0),
  };
}

// The component SDK's bundle ("conflux-coupling/component") and the command line's are built from the sources under
// test, not the last install's, before the files start: two commands starting at once never both rebuild.
const built = spawnSync(process.execPath, [join(root, "scripts", "build.mjs")], { stdio: "inherit" });
if (built.status !== 0) {
  process.stdout.write("the package's JavaScript did not build (scripts/build.mjs); see above\n");
  process.exit(1);
}

const suite = files.length > 0 ? runFiles(files, 2, { timePerFile: true }) : { passed: 0, skipped: 0, failed: 0 };
rmSync(testStacks, { recursive: true, force: true });
const leaks = runFiles([leakCheck], 1);
const passed = suite.passed + leaks.passed;
const failed = suite.failed + leaks.failed;
const skipped = suite.skipped + leaks.skipped;
process.stdout.write(`\n${passed} passed, ${skipped} skipped, ${failed} failed\n`);
process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
