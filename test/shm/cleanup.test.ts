import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { type TestContext, test } from "node:test";
import { listRuns, reapDeadRuns } from "../../src/shm/reaper.ts";
import { removeRunDirectory } from "../../src/shm/run-directory.ts";
import { runToEnd, startCli, startFixture } from "../support/child-process.ts";
import { privateShmRoot, SHM_ROOT_VARIABLE } from "../support/private-shm-root.ts";

/**
 * Starts a run-owning child and returns its run directory, removed after the
 * test in any case. With `root`, the run goes there instead of /dev/shm.
 */
async function ownerOf(t: TestContext, ending: string, root?: string) {
  const owner = startFixture(
    t,
    "shm/fixtures/run-owner.ts",
    [ending],
    root === undefined ? {} : { [SHM_ROOT_VARIABLE]: root },
  );
  const directory = await owner.nextLine();
  t.after(() => removeRunDirectory(directory));
  assert.ok(existsSync(directory), "the run exists while its owner runs");
  if (root !== undefined) assert.equal(dirname(directory), root, "the run is in the test's own segment root");
  return { owner, directory };
}

test("a run is removed when its owner exits normally", async (t) => {
  const { owner, directory } = await ownerOf(t, "exit");
  owner.child.stdin?.end("finish\n");
  assert.deepEqual(await owner.exited, { code: 0, signal: null });
  assert.equal(existsSync(directory), false);
});

test("a run is removed when its owner dies of an uncaught exception", async (t) => {
  const { owner, directory } = await ownerOf(t, "throw");
  owner.child.stdin?.end("fail\n");
  const status = await owner.exited;
  assert.equal(status.code, 1);
  assert.match(owner.stderr(), /deliberate failure/);
  assert.equal(existsSync(directory), false);
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  test(`a run is removed on ${signal}, and the owner still dies of the signal`, async (t) => {
    const { owner, directory } = await ownerOf(t, "wait");
    owner.child.kill(signal);
    assert.deepEqual(await owner.exited, { code: null, signal });
    assert.equal(existsSync(directory), false);
  });
}

test("the reaper removes a SIGKILLed run and leaves a live run alone", async (t) => {
  // A real `conflux clean` removes every dead run it sees: it looks only at this
  // test's own root, so runs of tests running beside it are not its to reap.
  const root = privateShmRoot(t);
  const inRoot = { [SHM_ROOT_VARIABLE]: root };
  const killed = await ownerOf(t, "wait", root);
  const live = await ownerOf(t, "wait", root);
  killed.owner.child.kill("SIGKILL");
  await killed.owner.exited;
  assert.ok(existsSync(killed.directory), "SIGKILL cannot be caught: the run is left behind");

  const statuses = new Map(listRuns(root).map((run) => [run.directory, run.alive]));
  assert.equal(statuses.get(killed.directory), false);
  assert.equal(statuses.get(live.directory), true);

  const dryRun = await runToEnd(startCli(t, ["clean", "--dry-run"], inRoot));
  assert.equal(dryRun.code, 0);
  assert.match(
    dryRun.stdout,
    new RegExp(`would remove ${killed.directory} .*creator pid ${killed.owner.child.pid} is dead`),
  );
  assert.match(dryRun.stdout, new RegExp(`kept ${live.directory}`));
  assert.ok(existsSync(killed.directory), "--dry-run removes nothing");

  const clean = await runToEnd(startCli(t, ["clean"], inRoot));
  assert.equal(clean.code, 0);
  assert.match(clean.stdout, new RegExp(`removed ${killed.directory}`));
  assert.equal(existsSync(killed.directory), false);
  assert.ok(existsSync(live.directory), "a live run is never reaped");
  assert.ok(!reapDeadRuns({ dryRun: true, root }).some((run) => run.directory === live.directory));
  for (const output of [dryRun.stdout, clean.stdout]) {
    for (const line of output.trim().split("\n")) {
      // Run directories are this root's; the cgroup tree is the host's, and only dead drivers' cgroups go.
      if (/^(?:would remove|removed) the cgroup /.test(line)) {
        assert.match(line, /\(its driver, pid \d+, is dead\)$/);
        continue;
      }
      const named = /^(?:would remove|removed|kept) (\S+)/.exec(line)?.[1];
      if (named !== undefined) assert.equal(dirname(named), root, `clean looked outside its root: ${line}`);
    }
  }
});
