// The run's view in a real browser (Debian's Chromium, headless): `conflux run --view` of the seed demo, loaded
// while the run goes, the page's graph, histograms and point view checked against the numbers the page was
// served and the record the run left; then `conflux view` of that record, whose point view must show the field
// the record saved; and a run in time, whose convergence reaches the live state and the finished page. A
// screenshot of each page is saved in test-artifacts/.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import type { Page } from "puppeteer-core";
import type { RunRecord } from "../../src/record/run-record.ts";
import type { ViewState } from "../../src/view/index.ts";
import { type Fixture, projectRoot, runToEnd, startCli } from "../support/child-process.ts";
import { artefactPath, headlessChromium, newTestPage } from "../support/headless-chromium.ts";
import { CHROMIUM, needs } from "../support/requirements.ts";
import { scratchDirectory, timePairComponents } from "./time-pair.ts";

const SEED = join(projectRoot, "examples", "seed-dtk", "conflux.yaml");
/** A page's first state comes within a second of its load; a cold browser and a loaded machine take longer. */
const PAGE_MS = 60_000;

/** The address a command prints as `view: http://…` on the stream `read` gives. */
async function viewAddress(read: () => string, exited: Fixture["exited"]): Promise<string> {
  let ended = false;
  void exited.then(() => {
    ended = true;
  });
  for (;;) {
    const found = /view: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(read());
    if (found !== null) return found[1] as string;
    if (ended) throw new Error(`the command ended without serving a view:\n${read()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function stdoutOf(fixture: Fixture): () => string {
  let text = "";
  fixture.child.stdout?.on("data", (chunk: Buffer) => {
    text += chunk.toString("utf8");
  });
  return () => text;
}

/** What the page drew, read from the page itself: its charts (through Chart.js), its graph, its point view. */
interface Drawn {
  completed: number;
  running: string;
  status: string;
  graphTitles: string[];
  /** Per phase histogram: the phase's title, the `n` its summary line says, and the samples its bars hold. */
  histograms: { phase: string; n: number; samples: number }[];
  charts: Record<string, number[][]>;
  point: Record<string, string>;
  /** Pixels of the point view's canvas that are not its background. */
  colouredPixels: number;
}

function drawn(page: Page): Promise<Drawn> {
  return page.evaluate(() => {
    const chartOf = (canvas: HTMLCanvasElement) =>
      (
        globalThis as unknown as {
          Chart: { getChart(canvas: HTMLCanvasElement): { data: { datasets: { data: number[] }[] } } | undefined };
        }
      ).Chart.getChart(canvas);
    const histograms = [...document.querySelectorAll("article.phase")].map((article) => {
      const canvas = article.querySelector<HTMLCanvasElement>("canvas[data-chart]");
      const bars = canvas === null ? [] : (chartOf(canvas)?.data.datasets[0]?.data ?? []);
      return {
        phase: article.querySelector("h3")?.textContent ?? "",
        n: Number(/n (\d+)/.exec(article.querySelector(".summary")?.textContent ?? "")?.[1] ?? "-1"),
        samples: bars.reduce((sum, count) => sum + count, 0),
      };
    });
    const charts: Record<string, number[][]> = {};
    for (const canvas of document.querySelectorAll<HTMLCanvasElement>("canvas[data-chart]")) {
      const kind = canvas.dataset.chart as string;
      if (kind === "phase-histogram") continue;
      charts[kind] = (chartOf(canvas)?.data.datasets ?? []).map((dataset) => dataset.data);
    }
    const view = document.getElementById("point-view") as HTMLElement;
    const canvas = view.querySelector("canvas") as HTMLCanvasElement;
    // The renderer keeps its drawing buffer, so the canvas reads back as drawn.
    const copy = document.createElement("canvas");
    copy.width = canvas.width;
    copy.height = canvas.height;
    const context = copy.getContext("2d") as CanvasRenderingContext2D;
    context.drawImage(canvas, 0, 0);
    const pixels = context.getImageData(0, 0, copy.width, copy.height).data;
    let coloured = 0;
    for (let index = 0; index < pixels.length; index += 4) {
      // The background is #f7f9fc; a point of the cool-to-warm table differs from it in some channel by far.
      const far =
        Math.abs((pixels[index] as number) - 0xf7) +
        Math.abs((pixels[index + 1] as number) - 0xf9) +
        Math.abs((pixels[index + 2] as number) - 0xfc);
      if (far > 60) coloured++;
    }
    return {
      completed: Number(document.body.dataset.completed),
      running: document.body.dataset.running ?? "",
      status: document.querySelector("header .status")?.textContent ?? "",
      graphTitles: [...document.querySelectorAll("figure.composition svg g.node title")].map(
        (title) => title.textContent ?? "",
      ),
      histograms,
      charts,
      point: { ...view.dataset } as Record<string, string>,
      colouredPixels: coloured,
    };
  });
}

async function openPage(t: TestContext, url: string): Promise<Page> {
  const browser = await headlessChromium(t);
  const page = await newTestPage(browser);
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  t.after(() => assert.deepEqual(errors, [], "the page's scripts ran without an error"));
  await page.setViewport({ width: 1200, height: 900 });
  await page.goto(url);
  await page.waitForFunction(
    () => document.body.dataset.completed !== undefined && document.getElementById("point-view")?.dataset.drawn,
    { timeout: PAGE_MS },
  );
  return page;
}

function fieldRange(file: string): { min: number; max: number } {
  const bytes = readFileSync(file);
  const values = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
  return { min: Math.min(...values), max: Math.max(...values) };
}

test(
  "conflux run --view serves the seed demo live, and conflux view serves the record it left",
  needs(CHROMIUM),
  async (t) => {
    const results = scratchDirectory(t, "view-runs");
    const shm = scratchDirectory(t, "view-shm");
    // Far more iterations than the test waits for: the run goes while the page is read, and is interrupted after.
    const run = startCli(t, ["run", SEED, "--view", "--iterations", "10000000", "--results", results, "--quiet"], {
      CONFLUX_SHM_ROOT: shm,
    });
    const url = await viewAddress(run.stderr, run.exited);
    const page = await openPage(t, url);
    const first = await drawn(page);
    // A later state replaces the first while the run goes: the page follows it.
    await page.waitForFunction(
      (before: number) => Number(document.body.dataset.completed) > before,
      { timeout: PAGE_MS },
      first.completed,
    );
    const live = await drawn(page);
    const served = (await (await fetch(`${url}state.json`)).json()) as ViewState;
    await page.screenshot({ path: artefactPath("view-live.png"), fullPage: true });

    run.child.kill("SIGINT");
    const ended = await runToEnd(run);
    assert.equal(ended.code, 130, ended.stderr);
    const [made] = readdirSync(results);
    assert.ok(made !== undefined, "the interrupted run left its record");
    const directory = join(results, made);
    const record = JSON.parse(readFileSync(join(directory, "run.json"), "utf8")) as RunRecord;

    assert.equal(live.running, "true");
    assert.equal(live.status, "running");
    assert.ok(live.completed > first.completed && live.completed <= record.iterations.completed);
    assert.ok(served.progress.running && served.progress.completed >= live.completed);
    assert.equal(served.progress.planned, 10_000_000);
    assert.deepEqual(live.graphTitles.filter((title) => !title.includes("->")).sort(), ["appA", "appB"]);
    // Every phase the record times, each with a histogram that holds every sample its summary counts.
    assert.deepEqual(
      live.histograms.map((histogram) => histogram.phase).sort(),
      Object.keys(record.timings)
        .filter((phase) => !phase.startsWith("command queue"))
        .sort(),
    );
    for (const histogram of live.histograms) {
      assert.ok(histogram.n > 0, `${histogram.phase} has samples`);
      assert.equal(histogram.samples, histogram.n, `${histogram.phase}: every sample in a bar`);
      assert.ok(
        histogram.n <= (record.timings[histogram.phase]?.n ?? 0),
        `${histogram.phase}: no more than the run timed`,
      );
    }
    assert.equal(live.point.mesh, "appA.surface");
    assert.equal(live.point.points, "3000");
    assert.equal(live.point.shown, "3000");
    assert.ok(Number(live.point.min) <= Number(live.point.max));
    assert.ok(live.colouredPixels > 500, `the points are drawn (${live.colouredPixels} coloured pixels)`);

    // The finished run, from its directory alone.
    const view = startCli(t, ["view", directory]);
    const viewUrl = await viewAddress(stdoutOf(view), view.exited);
    const finishedPage = await openPage(t, viewUrl);
    const finished = await drawn(finishedPage);
    await finishedPage.screenshot({ path: artefactPath("view-finished.png"), fullPage: true });
    const saved = await (await fetch(`${viewUrl}state.json`)).json();
    assert.equal(finished.status, "interrupted");
    assert.equal(finished.running, "false");
    assert.equal(finished.completed, record.iterations.completed);
    for (const histogram of finished.histograms) {
      assert.equal(histogram.n, record.timings[histogram.phase]?.n, histogram.phase);
      assert.equal(histogram.samples, histogram.n, `${histogram.phase}: every sample in a bar`);
    }
    // The point view colours by the field the record saved, over its range.
    const range = fieldRange(join(directory, "fields", "appA.surface.temperature.f64"));
    assert.equal(finished.point.field, "temperature");
    assert.equal(Number(finished.point.min), range.min);
    assert.equal(Number(finished.point.max), range.max);
    assert.ok(finished.colouredPixels > 500);
    assert.equal((saved as ViewState).meshes.length, 2);
    view.child.kill("SIGINT");
    const stopped = await runToEnd(view);
    assert.equal(stopped.code, 0, stopped.stderr);
  },
);

test(
  "a run in time: its windows reach the live state as they complete, and the finished page draws them",
  needs(CHROMIUM),
  async (t) => {
    const directory = scratchDirectory(t, "view-time");
    const results = join(directory, "runs");
    const file = join(directory, "conflux.yaml");
    // Windows enough to outlast the look at its live state; it is interrupted then.
    writeFileSync(
      file,
      `${timePairComponents()}coupling:
  scheme: serial-implicit
  order: [A, B]
  window: 0.1
  max_time: 100000
  max_iterations: 30
  convergence:
    - { field: B.m.x, measure: relative, limit: 1e-10 }
  acceleration: { method: aitken, fields: [A.m.y], initial_relaxation: 0.5 }
results:
  directory: ${results}
`,
    );
    const run = startCli(t, ["run", file, "--view", "--quiet"], {
      CONFLUX_SHM_ROOT: scratchDirectory(t, "view-time-shm"),
    });
    const url = await viewAddress(run.stderr, run.exited);
    let state: ViewState;
    for (;;) {
      state = (await (await fetch(`${url}state.json`)).json()) as ViewState;
      if (state.data.convergence.present && state.data.convergence.windows.length >= 2) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(state.progress.unit, "windows");
    assert.ok(state.data.convergence.present);
    for (const window of state.data.convergence.windows) {
      assert.ok(window.iterations >= 1 && window.residuals["B.m.x"]?.length === window.iterations);
    }
    run.child.kill("SIGINT");
    const ended = await runToEnd(run);
    assert.equal(ended.code, 130, ended.stderr);
    const [made] = readdirSync(results);
    assert.ok(made !== undefined);
    const record = JSON.parse(readFileSync(join(results, made, "run.json"), "utf8")) as RunRecord;
    const windows = record.convergence ?? [];
    // What the live state showed is the record's beginning.
    assert.deepEqual(windows.slice(0, state.data.convergence.windows.length), state.data.convergence.windows);

    const view = startCli(t, ["view", join(results, made)]);
    const page = await openPage(t, await viewAddress(stdoutOf(view), view.exited));
    const finished = await drawn(page);
    await page.screenshot({ path: artefactPath("view-time.png"), fullPage: true });
    assert.deepEqual(finished.charts["window-iterations"], [windows.map((window) => window.iterations)]);
    assert.equal(finished.charts.residuals?.length, 1, "one measured field's residuals");
    assert.equal(finished.point.mesh, "A.m");
    assert.equal(finished.point.points, "4");
    view.child.kill("SIGINT");
    assert.equal((await runToEnd(view)).code, 0);
  },
);

test("bad input: a port out of range, a directory that is no run", async (t) => {
  const badPort = await runToEnd(startCli(t, ["run", SEED, "--view", "--view-port", "70000"]));
  assert.equal(badPort.code, 2);
  assert.match(badPort.stderr, /--view-port 70000: give a port from 0 to 65535/);
  const empty = scratchDirectory(t, "view-empty");
  const noRun = await runToEnd(startCli(t, ["view", empty]));
  assert.equal(noRun.code, 2);
  assert.match(noRun.stderr, new RegExp(`${empty}`));
  assert.doesNotMatch(noRun.stderr, /\n\s+at /, "no stack trace");
});
