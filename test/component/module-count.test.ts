// What a TypeScript component loads of ours: the SDK and the layers it stands
// on, never the launcher, a backend or a probe. Counted in a real component
// process, started as the process enclave starts one (node --import tsx).
import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { createEnclave } from "../../src/enclave/create-enclave.ts";

/**
 * The modules under src/ a component may load: component/ 3, wire/ 9 (one per
 * layout), shm/ 11 (with the truncation marks and the no-room error, which a
 * component's own segments need), queue/ 7, bspline/ 1, native/ 1
 * (docs/architecture.md, "What a component loads"). One more is a decision:
 * raise this bound in the same change.
 */
const BOUND = 32;
const SDK_LAYERS = /^src\/(component|wire|shm|queue|bspline|native)\//;

test(`a TypeScript component loads at most ${BOUND} of our modules, all of them the SDK's or below it`, async () => {
  const enclave = createEnclave(
    "process",
    {
      name: "counted",
      module: fileURLToPath(new URL("./fixtures/counted-component.ts", import.meta.url)),
      runDirectory: "/nonexistent-run",
    },
    { output: null },
  );
  await enclave.start();
  const status = await enclave.exited;
  const { stdout, stderr } = enclave.output();
  assert.equal(status.code, 0, stderr);
  const modules = JSON.parse(stdout) as string[];
  assert.ok(modules.includes("src/component/index.ts"), `the SDK itself was counted: ${modules.join(", ")}`);
  assert.deepEqual(
    modules.filter((module) => !SDK_LAYERS.test(module)),
    [],
    "modules outside component, wire, shm, queue, bspline and native",
  );
  assert.ok(modules.length <= BOUND, `${modules.length} modules, more than ${BOUND}: ${modules.join(", ")}`);
});
