// The launch as the agent parses it: tag byte, value, NUL; an empty tag ends it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { encodeLaunch } from "../../../../src/enclave/vm/guest/launch-records.ts";

test("a launch encodes every argument, variable, CPU and shared file as a tagged record", () => {
  const bytes = encodeLaunch({
    argv: ["/usr/bin/node", "app.ts"],
    env: { CONFLUX_COMPONENT_NAME: "appA", EMPTY: "" },
    cwd: "/work",
    run: {
      directory: "/dev/shm/conflux-0123456789abcdef",
      ownerJson: '{"runId":"0123456789abcdef"}',
      files: [{ pciAddress: "0000:00:03.0", fileName: "registry" }],
    },
    cpus: [1],
  });
  const text = new TextDecoder().decode(bytes);
  assert.ok(text.endsWith("\0\0"), "an empty record ends the list");
  assert.deepEqual(text.slice(0, -1).split("\0").slice(0, -1), [
    "a/usr/bin/node",
    "aapp.ts",
    "eCONFLUX_COMPONENT_NAME=appA",
    "eEMPTY=",
    "d/work",
    "r/dev/shm/conflux-0123456789abcdef",
    'o{"runId":"0123456789abcdef"}',
    "f0000:00:03.0 registry",
    "c1",
  ]);
  assert.throws(() => encodeLaunch({ argv: ["a\0b"], env: {}, cwd: "/" }), /cannot hold a NUL character/);
});
