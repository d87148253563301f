// A component that shrinks a segment the driver has mapped ends the run with a
// failure that names it, the segment and what is left of it, in the iteration
// it happened: never SIGBUS in the driver (this test's process). The segments
// are removed and the results so far handed over, as for any failure.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { EnclaveKind } from "../../src/enclave/kind.ts";
import { anyTruncated } from "../../src/shm/truncation.ts";
import { failedCoupling } from "../support/failed-coupling.ts";
import { seedPlan } from "./seed-plan.ts";

const MESH_BYTES = "120,832"; // header 256 + metadata 576 + 3,000 × 3 coordinates + 2 fields of 3,000 doubles
const CHANNEL_BYTES = "8,896"; // header 256 + control line 64 + 2 rings of 64 records

async function failureOf(kind: EnclaveKind, fault: string, at: number) {
  const plan = seedPlan(kind, at + 5, { a: "app-a.ts", b: "../../test/coupling/fixtures/untrusted-app.ts" });
  const appB = plan.components[1];
  if (appB) appB.launch.args = { points: 3000, seed: 2, sweeps: 3, fault, at };
  plan.stepTimeoutMs = 5000;
  const { error, collected } = await failedCoupling(plan);
  assert.equal(anyTruncated(), false, "no mapping of the run is left marked");
  return { message: error.message, collected };
}

// A random iteration, reported in the test's name so a failure can be replayed.
const at = 3 + Math.floor(Math.random() * 20);

for (const kind of ["process", "thread"] as const) {
  test(`${kind}: a component that truncates its mesh in iteration ${at} is named with the segment and its bytes`, async () => {
    const { message, collected } = await failureOf(kind, "truncate-mesh", at);
    assert.match(
      message,
      new RegExp(
        `^component "appB" \\(${kind} enclave, pid \\d+\\) truncated segment "appB\\.mesh\\.surface" \\(0 of ${MESH_BYTES} bytes\\) in iteration ${at}, phase "appB\\.surface\\.flux → appA\\.surface\\.flux"$`,
      ),
    );
    assert.equal(collected, at, "the completed iterations' results were handed over");
  });

  test(`${kind}: a component that truncates its channel in iteration ${at} is named`, async () => {
    const { message } = await failureOf(kind, "truncate-channel", at);
    assert.match(
      message,
      new RegExp(
        `^component "appB" \\(${kind} enclave, pid \\d+\\) truncated segment "appB\\.channel" \\(0 of ${CHANNEL_BYTES} bytes\\) in iteration ${at}, phase "appB step"$`,
      ),
    );
  });

  test(`${kind}: a mesh shortened within its last page (no SIGBUS) is found when the loop ends`, async () => {
    const { message } = await failureOf(kind, "shrink-in-page", at);
    assert.match(
      message,
      /^component "appB" \(\w+ enclave, pid \d+\) truncated segment "appB\.mesh\.surface" \(120,824 of 120,832 bytes\) during the check after the loop$/,
    );
  });
}
