import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { test } from "node:test";
import type { CouplingFailure } from "../../src/coupling/coupling-failure.ts";
import { runCoupling } from "../../src/coupling/driver.ts";
import type { EnclaveKind } from "../../src/enclave/kind.ts";
import { setupNearestNeighbour } from "../../src/mapping/operators/nearest-neighbour.ts";
import { runDirectoryPath } from "../../src/shm/run-directory.ts";
import { failedCoupling } from "../support/failed-coupling.ts";
import { seedPlan } from "./seed-plan.ts";

function faultyPlan(kind: EnclaveKind, fault: string, at: number) {
  const plan = seedPlan(kind, 50, { a: "app-a.ts", b: "../../test/coupling/fixtures/faulty-app.ts" });
  const appB = plan.components[1];
  if (appB) appB.launch.args = { points: 3000, seed: 2, sweeps: 3, fault, at };
  plan.stepTimeoutMs = 1500;
  return plan;
}

async function failureOf(
  kind: EnclaveKind,
  fault: string,
  at: number,
): Promise<{ error: CouplingFailure; collected: number }> {
  const { error, runId, collected } = await failedCoupling(faultyPlan(kind, fault, at));
  assert.match(runId, /^[0-9a-f]{16}$/, "the failure carries its run id");
  return { error, collected };
}

// A random iteration, reported in the message so a failure can be replayed.
const at = 5 + Math.floor(Math.random() * 40);

test(`a component SIGKILLed in iteration ${at} ends the run with an error naming it`, async () => {
  const { error, collected } = await failureOf("process", "sigkill", at);
  assert.match(
    error.message,
    new RegExp(
      `^component "appB" \\(process enclave, pid \\d+\\) was killed by SIGKILL in iteration ${at}, phase "appB step"$`,
    ),
  );
  assert.equal(collected, at, "the results of the completed iterations were handed over before cleanup");
});

for (const kind of ["process", "thread"] as const) {
  test(`${kind}: a component that exits with code 3 ends the run with its exit code`, async () => {
    const { error } = await failureOf(kind, "exit3", 7);
    const pid = kind === "process" ? "pid \\d+" : `pid ${process.pid}`;
    assert.match(
      error.message,
      new RegExp(
        `^component "appB" \\(${kind} enclave, ${pid}\\) exited with code 3 in iteration 7, phase "appB step"$`,
      ),
    );
  });

  test(`${kind}: a component stuck in an endless loop is stopped after the step timeout`, async () => {
    const { error } = await failureOf(kind, "hang", 3);
    assert.match(
      error.message,
      new RegExp(
        `^component "appB" \\(${kind} enclave, pid \\d+\\) did not answer within 1500 ms \\(the step timeout\\); it was stopped in iteration 3, phase "appB step"$`,
      ),
    );
  });

  test(`${kind}: a component that sends garbage ends the run`, async () => {
    const { error } = await failureOf(kind, "garbage", 2);
    assert.match(
      error.message,
      /^component "appB" \(\w+ enclave, pid \d+\) sent garbage: .*unknown opcode 0x7777 .* in iteration 2, phase "appB step"$/,
    );
  });

  test(`${kind}: malformed mesh metadata is refused before the loop starts`, async () => {
    const { error } = await failureOf(kind, "malformed", 0);
    assert.match(
      error.message,
      /^component "appB" \(\w+ enclave, pid \d+\) published malformed metadata for mesh "surface": .*layout code 9 is not 0 \(soa\) or 1 \(interleaved\) during mesh check$/,
    );
  });
}

test("a component that exits with code 0 on stop, without its bye, is named with what its ring held", async () => {
  const { error, collected } = await failureOf("process", "nobye", 0);
  assert.match(
    error.message,
    /^component "appB" \(process enclave, pid \d+\) exited with code 0 without saying bye \(its ring to the driver: head (\d+), tail \1, next slot's sequence \d+, (open|closed) by its producer\) during shutdown$/,
  );
  assert.equal(collected, 50, "every iteration's results were handed over");
});

test("thread: a component that throws ends the run with the error text", async () => {
  const { error } = await failureOf("thread", "throw", 4);
  assert.match(
    error.message,
    /^component "appB" \(thread enclave, pid \d+\) crashed \(exit code 1\): .*deliberate failure in step 4 in iteration 4, phase "appB step"$/,
  );
});

test("a component that fails after the run's registry was overwritten: the registry is named, and what failed", async () => {
  let caught: unknown;
  try {
    await runCoupling(faultyPlan("process", "registry", 4), {
      buildOperator: (source, target) => setupNearestNeighbour(source, target),
      output: null,
    });
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof Error, `expected an error, got ${String(caught)}`);
  assert.match(
    caught.message,
    /^the run's segment "registry" \(.*registry\) was overwritten by a process of the run in iteration 4, phase "appB step": its capacity reads 1000000, not the \d+ it was made with; which component did it cannot be told\. What failed next: component "appB" \(process enclave, pid \d+\) exited with code 2 in iteration 4, phase "appB step"$/,
  );
  const runId = (caught as { partial?: { runId?: string } }).partial?.runId;
  assert.equal(existsSync(runDirectoryPath(runId ?? "")), false, "the run's segments were removed");
});
