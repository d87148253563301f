// The thread team of operator setups: work split into parts on real worker
// threads over shared memory, run synchronously, with every failure of a part
// (an error thrown, a worker that exits, one that never loads) coming back as
// an error of the call instead of a hang.
import assert from "node:assert/strict";
import { test } from "node:test";
import { MappingError } from "../../../src/mapping/mapping-error.ts";
import { ThreadTeam } from "../../../src/mapping/threads/thread-team.ts";
import { TEAM_TEST_TASKS } from "./fixtures/team-tasks.ts";

const WORKER = new URL("./fixtures/team-worker.ts", import.meta.url);

test("a team runs every part of a task, part 0 here and the rest on its workers, over shared memory", async () => {
  const team = ThreadTeam.start(3, WORKER, TEAM_TEST_TASKS);
  try {
    const values = new Float64Array(new SharedArrayBuffer(8 * 30_001));
    for (let index = 0; index < values.length; index++) values[index] = index;
    const sums = new Float64Array(new SharedArrayBuffer(8 * 3));
    // Reused: the same workers answer one task after another.
    for (let round = 0; round < 3; round++) {
      sums.fill(0);
      const results = team.run("sum", { values, sums });
      assert.deepEqual(
        results,
        [0, 1, 2].map((part) => ({ part, parts: 3 })),
      );
      assert.equal((sums[0] as number) + (sums[1] as number) + (sums[2] as number), (30_000 * 30_001) / 2);
      assert.ok((sums[1] as number) > 0 && (sums[2] as number) > 0, "the workers wrote into the shared array");
    }
    assert.deepEqual(team.run("sum", { values, sums }, 2), [
      { part: 0, parts: 2 },
      { part: 1, parts: 2 },
    ]);
  } finally {
    await team.close();
  }
});

test("a part's error comes back from run, a MappingError as one", async () => {
  const team = ThreadTeam.start(2, WORKER, TEAM_TEST_TASKS);
  try {
    assert.throws(
      () => team.run("mapping-error", {}),
      (error: unknown) => error instanceof MappingError && error.message === "part 1 found no patch",
    );
    assert.throws(
      () => team.run("plain-error", {}),
      (error: unknown) =>
        !(error instanceof MappingError) && error instanceof Error && error.message === "part 1 broke",
    );
    // The team still works after a part failed.
    assert.deepEqual(team.run("mapping-error", {}, 1), [0]);
    assert.throws(() => team.run("no-such-task", {}), /no mapping task named no-such-task/);
  } finally {
    await team.close();
  }
});

test("a worker that exits during a task is reported, not waited for", async () => {
  const team = ThreadTeam.start(2, WORKER, TEAM_TEST_TASKS);
  try {
    assert.throws(
      () => team.run("die", {}),
      (error: unknown) => error instanceof MappingError && /mapping thread 1 died during die/.test(error.message),
    );
  } finally {
    await team.close();
  }
});

test("a worker whose code does not load makes start fail with the reason to look for", () => {
  assert.throws(
    () => ThreadTeam.start(2, new URL("./fixtures/broken-worker.ts", import.meta.url), TEAM_TEST_TASKS),
    (error: unknown) =>
      error instanceof MappingError &&
      /mapping thread 1 did not start \(it exited: this worker cannot load\)/.test(error.message),
  );
  assert.throws(() => ThreadTeam.start(0, WORKER, TEAM_TEST_TASKS), /threads must be a whole number from 1 to 256/);
});

test("a closed team refuses work", async () => {
  const team = ThreadTeam.start(2, WORKER, TEAM_TEST_TASKS);
  await team.close();
  assert.throws(() => team.run("sum", {}), /closed/);
});
