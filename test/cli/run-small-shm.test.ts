// The seed demonstration with its segments on a tmpfs too small for them: the
// run ends at creation with an error naming the segment, the bytes it needs,
// the bytes free and the fix, never with SIGBUS (tmpfs accepts an ftruncate it
// cannot back and fails the first write to a page it has no room for).
import assert from "node:assert/strict";
import { test } from "node:test";
import { privateTmpfsOptions, runWithTmpfs } from "../support/private-tmpfs.ts";

const SEED_RUN = `"${process.execPath}" bin/conflux.js run examples/seed-dtk/conflux.yaml --iterations 5 --quiet --results "$SCRATCH/runs"`;

test(
  "a tmpfs of 64 KiB: the registry does not fit, and the run says so when it creates it",
  privateTmpfsOptions,
  async (t) => {
    const outcome = await runWithTmpfs(t, "64k", SEED_RUN);
    assert.equal(outcome.signal, null);
    assert.equal(outcome.code, 1, outcome.stderr);
    assert.match(
      outcome.stderr,
      /^conflux run: no room for segment "registry" \(65,856 bytes\) in \S+: [\d,]+ bytes are free\. Give it more room \(a larger \/dev\/shm: `mount -o remount,size=… \/dev\/shm`; in Docker, `--shm-size`, which is 64 MB unless set\), or point CONFLUX_SHM_ROOT at a larger tmpfs\.$/m,
    );
    assert.equal(outcome.left, "", "nothing is left on the tmpfs");
  },
);

test(
  "a tmpfs of 128 KiB: a component's mesh does not fit; it fails naming it, and so does the run",
  privateTmpfsOptions,
  async (t) => {
    const outcome = await runWithTmpfs(t, "128k", SEED_RUN);
    assert.equal(outcome.signal, null);
    assert.equal(outcome.code, 1, outcome.stderr);
    assert.match(
      outcome.stderr,
      /no room for segment "app[AB]\.mesh\.surface" \(120,832 bytes\) in \S+: [\d,]+ bytes are free/,
    );
    assert.match(
      outcome.stderr,
      /conflux run: component "app[AB]" \(process enclave, pid \d+\) exited with code 1 before it said hello during startup/,
    );
    assert.doesNotMatch(outcome.stderr, /SIGBUS|Bus error/);
    assert.equal(outcome.left, "", "nothing is left on the tmpfs");
  },
);
