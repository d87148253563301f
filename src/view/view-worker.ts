// The live view's thread: its own event loop serves the page and the latest state while the driver's main
// thread spins in its coupling loop, which never yields to an event loop of its own. The main thread posts
// each new state as JSON text; a request answers with the last one that arrived.
import { parentPort, workerData } from "node:worker_threads";
import { serveView } from "./view-server.ts";
import type { MainToView, ViewToMain, ViewWorkerData } from "./view-worker-protocol.ts";

const { page, port } = (workerData as { data: ViewWorkerData }).data;
if (parentPort === null) throw new Error("view-worker.ts runs as a worker thread");
const main = parentPort;
let latest = "null";
const tell = (message: ViewToMain) => main.postMessage(message);

serveView(page, () => latest, port).then(
  (server) => {
    main.on("message", (message: MainToView) => {
      if (message.type === "state") latest = message.json;
      else
        void server.close().then(() => {
          tell({ type: "closed" });
          main.close();
        });
    });
    tell({ type: "listening", url: server.url });
  },
  (error: Error) => {
    tell({ type: "failed", message: error.message });
    main.close();
  },
);
