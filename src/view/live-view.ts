// `conflux run --view`: the view served live from a thread of its own (view-worker.ts), fed from the driver's
// thread. The driver calls tick() after every step; at most once a POST_INTERVAL_MS the view takes a state
// (live-state.ts) and posts it as JSON text, so a run of short steps pays one clock read a step. Taking a state
// sorts every sample so far, which grows with the run: the interval grows with it, so that the view never
// takes more than 1/OVERHEAD_SHARE of the driver's time. When the run ends, the record's state replaces it, and
// the server closes.
import { performance } from "node:perf_hooks";
import type { Worker } from "node:worker_threads";
import type { LiveRunSources } from "../coupling/live-sources.ts";
import { startTypeScriptWorker } from "../platform/typescript-worker.ts";
import { type LiveRunFacts, liveState } from "./live-state.ts";
import { runDirectoryState } from "./run-directory-state.ts";
import { viewPage } from "./view-page.ts";
import { ViewServerError } from "./view-server.ts";
import type { MainToView, ViewToMain, ViewWorkerData } from "./view-worker-protocol.ts";

/** How often a running loop's state is taken at most: the page polls every second. */
const POST_INTERVAL_MS = 500;
/** A state costs at most this share of the driver's time: the interval is at least this many times its cost. */
const OVERHEAD_SHARE = 20;

export class LiveView {
  private sources: LiveRunSources | undefined;
  private loopStartedUnixMs: number | undefined;
  private lastPostMs = Number.NEGATIVE_INFINITY;
  private intervalMs = POST_INTERVAL_MS;
  private completed = 0;
  private planned = 0;

  private constructor(
    readonly url: string,
    private readonly worker: Worker,
    private readonly facts: LiveRunFacts,
  ) {}

  /** Starts the server on 127.0.0.1:`port` (0: a free one) and posts the state of a run not yet started. */
  static async start(facts: LiveRunFacts, port: number): Promise<LiveView> {
    const data: ViewWorkerData = { page: await viewPage(`conflux run ${facts.name} (live)`), port };
    const worker = startTypeScriptWorker(new URL("./view-worker.ts", import.meta.url).href, "conflux live view", data);
    const url = await new Promise<string>((resolve, reject) => {
      worker.once("message", (message: ViewToMain) => {
        if (message.type === "listening") resolve(message.url);
        else reject(new ViewServerError(message.type === "failed" ? message.message : "the view closed at once"));
      });
      worker.once("error", (error) => reject(new ViewServerError(`the view's thread failed: ${error.message}`)));
    });
    const view = new LiveView(url, worker, facts);
    view.post();
    return view;
  }

  /** For DriverHooks.watch: what the view reads from now on. */
  readonly watch = (sources: LiveRunSources): void => {
    this.sources = sources;
    this.loopStartedUnixMs = Date.now();
    this.post();
  };

  /** After every step of the loop; cheap unless a state is due. */
  tick(completed: number, planned: number): void {
    this.completed = completed;
    this.planned = planned;
    const now = performance.now();
    if (now - this.lastPostMs < this.intervalMs) return;
    this.post();
  }

  private post(): void {
    const started = performance.now();
    const state = liveState(this.facts, this.sources, {
      completed: this.completed,
      planned: this.planned,
      loopStartedUnixMs: this.loopStartedUnixMs,
    });
    this.send({ type: "state", json: JSON.stringify(state) });
    this.lastPostMs = performance.now();
    this.intervalMs = Math.max(POST_INTERVAL_MS, OVERHEAD_SHARE * (this.lastPostMs - started));
  }

  private send(message: MainToView): void {
    this.worker.postMessage(message);
  }

  /**
   * The run is over: its record's state, when it left one (`directory`), is the last the page gets; the
   * sources go (their segments are about to be removed), and the server closes.
   */
  async close(directory: string | undefined): Promise<void> {
    this.sources = undefined;
    if (directory !== undefined) {
      try {
        this.send({ type: "state", json: JSON.stringify(await runDirectoryState(directory)) });
      } catch {
        // A record that cannot be read is the run's own failure to report, not the view's.
      }
    }
    const closed = new Promise<void>((resolve) => {
      this.worker.once("exit", () => resolve());
    });
    this.send({ type: "close" });
    await closed;
  }
}
