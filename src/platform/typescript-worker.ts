// A worker thread whose module is one of the package's TypeScript sources. A worker starts without the
// parent's loader hooks (Node 20), so it registers tsx itself first, then imports the module; the module finds
// what it was given as `workerData.data`.
import { Worker } from "node:worker_threads";
import { tsxRegisterUrl } from "./typescript-loader.ts";

/** Only import(), which evaluated code may call whether it is taken for CommonJS or for a module. */
const PRELUDE = `
import("node:worker_threads")
  .then(({ workerData }) => import(workerData.tsxApi).then((tsx) => [tsx, workerData]))
  .then(([tsx, workerData]) => {
    tsx.register();
    return import(workerData.module);
  });
`;

export function startTypeScriptWorker(moduleUrl: string, name: string, data: unknown): Worker {
  return new Worker(PRELUDE, {
    eval: true,
    name,
    // Not the parent's flags (--input-type, --import …): the prelude sets up what the module needs.
    execArgv: [],
    workerData: { tsxApi: tsxRegisterUrl(), module: moduleUrl, data },
  });
}
