// What a TypeScript component loads of ours: the SDK as one built module
// ("conflux-coupling/component", build/component/sdk.mjs), never the launcher, a
// backend or a probe; and, from the sources the bundle is built of, only the
// SDK's layers. Counted in a real component process, started as the process
// enclave starts one (node --import tsx).
import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { createEnclave } from "../../src/enclave/create-enclave.ts";

/**
 * The SDK as a component imports it is one module, the bundle (docs/architecture.md, "What a component
 * loads"): the target is at most 12, and one more than the bundle is a decision, made in the same change.
 */
const BOUND = 12;
/** What the bundle is built from (its sources, through tsx): the SDK and the layers it stands on. */
const SDK_LAYERS = /^src\/(component|wire|shm|queue|bspline|native)\//;

async function loadedBy(sdk: string | undefined): Promise<string[]> {
  const enclave = createEnclave(
    "process",
    {
      name: "counted",
      module: fileURLToPath(new URL("./fixtures/counted-component.ts", import.meta.url)),
      runDirectory: "/nonexistent-run",
      ...(sdk === undefined ? {} : { env: { COUNTED_SDK: sdk } }),
    },
    { output: null },
  );
  await enclave.start();
  const status = await enclave.exited;
  const { stdout, stderr } = enclave.output();
  assert.equal(status.code, 0, stderr);
  return JSON.parse(stdout) as string[];
}

test(`a TypeScript component loads at most ${BOUND} of our modules: the built SDK, and nothing of the launcher`, async () => {
  const modules = await loadedBy(undefined);
  assert.deepEqual(modules, ["build/component/sdk.mjs"], `loaded: ${modules.join(", ")}`);
  assert.ok(modules.length <= BOUND, `${modules.length} modules, more than ${BOUND}: ${modules.join(", ")}`);
});

test("the sources the SDK is built from are the SDK's layers only, as the rules file bounds them", async () => {
  const modules = await loadedBy(fileURLToPath(new URL("../../src/component/index.ts", import.meta.url)));
  assert.ok(modules.includes("src/component/index.ts"), `the SDK itself was counted: ${modules.join(", ")}`);
  assert.deepEqual(
    modules.filter((module) => !SDK_LAYERS.test(module)),
    [],
    "modules outside component, wire, shm, queue, bspline and native",
  );
});
