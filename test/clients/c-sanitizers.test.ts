// The C client's tests under AddressSanitizer and UndefinedBehaviorSanitizer
// (-fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all):
// the hostile-peer cases, the echo peer against the TypeScript channel, and the
// examples' appA coupled with the TypeScript appB. Any report ends the program
// with its own exit code (86 ASan, 87 UBSan) and fails the test. The golden
// images and the go-iteration cases run a sanitized build in their own files.
// Skipped, with the reason, where the compiler has no sanitizer runtimes;
// CONFLUX_TEST_REQUIRE=all makes that a failure.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { peerTests } from "./channel-peer-tests.ts";
import { hostileCTests } from "./hostile-c-cases.ts";
import { assertCompleted, differencesFromReference, planWithCommand, runSeed } from "./seed-coupling.ts";
import { sanitizedBuild } from "./toolchain.ts";

const build = sanitizedBuild();

hostileCTests(build);

let directory = "";
let peer = "";
let appA = "";
before(() => {
  if (build.options.skip !== undefined) return;
  build.required();
  directory = mkdtempSync(join(tmpdir(), "conflux-clients-"));
  peer = build.compile(directory, "queue_peer", ["clients/c/bench/queue_peer.c"]);
  appA = build.compile(directory, "app_a", ["examples/c-component/app_a.c"]);
});
after(() => {
  if (directory !== "") rmSync(directory, { recursive: true, force: true });
});

peerTests({
  language: `C (${build.name})`,
  options: build.options,
  command: (runDirectory, channel, kind) => [peer, runDirectory, channel, kind, "50000"],
  environment: build.environment,
  counts: { spin: 20_000, hybrid: 20_000, block: 2_000, backoff: 5_000 },
});

test(
  `appA in C (${build.name}) coupled with appB in TypeScript, 100 iterations, matches the reference bit for bit`,
  build.options,
  async () => {
    const run = await runSeed(planWithCommand(100, "appA", [appA], build.environment), 50);
    assertCompleted(run, 100, 50);
    for (const [field, difference] of differencesFromReference(run, 100)) {
      assert.equal(difference, 0, `${field} differs from the reference by ${difference}`);
    }
  },
);
