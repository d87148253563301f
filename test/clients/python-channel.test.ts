// The Python client's channel against the TypeScript one, across real
// processes: the Python echo peer of `conflux bench queue`
// (clients/python/bench/queue_peer.py), with each way of doing its atomics.

import { needs, PYTHON, pythonCommand } from "../support/requirements.ts";
import { peerTests } from "./channel-peer-tests.ts";
import { PYTHON_CLIENT, pythonAtomics, pythonEnvironment } from "./toolchain.ts";

const python = pythonCommand();

for (const atomics of python === undefined ? ["none"] : pythonAtomics(python)) {
  peerTests({
    language: `Python (atomics: ${atomics})`,
    options: needs(PYTHON),
    command: (runDirectory, channel, kind) => [
      python ?? "python3",
      `${PYTHON_CLIENT}/bench/queue_peer.py`,
      runDirectory,
      channel,
      kind,
      "50000",
    ],
    environment: pythonEnvironment({ CONFLUX_PYTHON_ATOMICS: atomics }),
    counts: { spin: 20_000, hybrid: 20_000, block: 2_000, backoff: 5_000 },
  });
}
