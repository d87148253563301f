// The C client's channel against the TypeScript one, across real processes:
// the C echo peer of `conflux bench queue` (clients/c/bench/queue_peer.c).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { C_COMPILER, needs } from "../support/requirements.ts";
import { peerTests } from "./channel-peer-tests.ts";
import { compileWithClient } from "./toolchain.ts";

const options = needs(C_COMPILER);
let directory = "";
let peer = "";

before(() => {
  if (options.skip !== undefined) return;
  directory = mkdtempSync(join(tmpdir(), "conflux-clients-"));
  peer = compileWithClient(directory, "queue_peer", ["clients/c/bench/queue_peer.c"]);
});

after(() => {
  if (directory !== "") rmSync(directory, { recursive: true, force: true });
});

peerTests({
  language: "C",
  options,
  command: (runDirectory, channel, kind) => [peer, runDirectory, channel, kind, "50000"],
  counts: { spin: 100_000, hybrid: 100_000, block: 5_000, backoff: 20_000 },
});
