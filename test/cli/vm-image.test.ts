// `conflux vm build` and `conflux vm ls`: an image per component, named by its
// content, the same hash when built again, and the composition's way to use it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { guestFixture } from "../enclave/vm/guest-programs.ts";
import { projectRoot } from "../support/child-process.ts";
import { needs, VM } from "../support/requirements.ts";

function lines(args: string[]): string[] {
  const cli = spawnSync(process.execPath, [join(projectRoot, "bin/conflux.js"), ...args], {
    encoding: "utf8",
    timeout: 120_000,
  });
  assert.equal(cli.status, 0, cli.stderr);
  return cli.stdout.split("\n");
}

test("conflux vm build makes an image for a program, reuses it the second time, and vm ls lists it", needs(VM), () => {
  const program = guestFixture("exit_on_go");
  const first = lines(["vm", "build", program]);
  const hash = /^image ([0-9a-f]{12}): (built|already built: reused)$/.exec(first[0] ?? "")?.[1];
  assert.ok(hash, first.join("\n"));
  assert.ok(first.some((line) => line.includes(`runs ${program}`)));
  assert.ok(first.some((line) => /enclave: \{ kind: vm, vm: \{ image: [0-9a-f]{16} \} \}/.test(line)));
  const second = lines(["vm", "build", program]);
  assert.equal(second[0], `image ${hash}: already built: reused`);
  const listed = lines(["vm", "ls"]);
  assert.ok(
    listed.some((line) => line.startsWith(hash)),
    listed.join("\n"),
  );
});
