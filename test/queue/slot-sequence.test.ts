// Ring layout version 2 across processes with the TypeScript peer (the C and
// Python peers run the same cases in test/clients/*-channel.test.ts): see
// slot-sequence-cases.ts.
import { fileURLToPath } from "node:url";
import { startProgram } from "../clients/programs.ts";
import { slotSequenceTests } from "./slot-sequence-cases.ts";

const PEER = fileURLToPath(new URL("../../src/bench/queue-peer-main.ts", import.meta.url));

slotSequenceTests({
  language: "TypeScript",
  options: {},
  start: (t, runDirectory, channel, kind) =>
    startProgram(t, [process.execPath, "--import", "tsx", PEER, runDirectory, channel, kind, "50000"]),
});
