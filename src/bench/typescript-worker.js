// Worker threads do not inherit the tsx loader in Node 20, so a benchmark
// worker starts here: register tsx in this thread, then import the TypeScript
// module named in workerData.module (which reads the rest of workerData).
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData.module);
