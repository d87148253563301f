// Entry point of the queue peer: a process gets its settings as arguments
// (RUN_DIR CHANNEL WAIT_KIND SPIN_NS), a worker thread as workerData.
import { isMainThread, workerData } from "node:worker_threads";
import type { WaitKind } from "../queue/wait-strategy.ts";
import { servePeer } from "./queue-peer.ts";

interface PeerSettings {
  runDirectory: string;
  channelName: string;
  kind: WaitKind;
  spinNs: number;
}

let settings: PeerSettings;
if (isMainThread) {
  const [runDirectory = "", channelName = "", kind = "hybrid", spinNs = "50000"] = process.argv.slice(2);
  settings = { runDirectory, channelName, kind: kind as WaitKind, spinNs: Number(spinNs) };
} else {
  settings = workerData as PeerSettings;
}
servePeer(settings.runDirectory, settings.channelName, settings.kind, settings.spinNs);
