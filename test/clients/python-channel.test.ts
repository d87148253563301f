// The Python client's channel against the TypeScript one, across real
// processes: the Python echo peer of `conflux bench queue`
// (clients/python/bench/queue_peer.py), with each way of doing its atomics.
import { peerTests } from "./channel-peer-tests.ts";
import { PYTHON_CLIENT, pythonAtomics, pythonCommand, pythonEnvironment } from "./toolchain.ts";

const python = pythonCommand();
const skip = python === undefined ? "no python3 (3.11 or later)" : undefined;

for (const atomics of python === undefined ? ["none"] : pythonAtomics(python)) {
  peerTests({
    language: `Python (atomics: ${atomics})`,
    skip,
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
