// `conflux report` as a user runs it: a real run in physical time (the driver's test components in processes, a
// serial-implicit scheme, so the record holds timings and convergence), then the report written by a child process
// and read back: one self-contained file, the run's own numbers in its page data, the composition drawn, the charts'
// script drawing from that data, hostile strings from a record kept as text, an older record's missing parts
// named, and bad input answered with the file and the fix.
import assert from "node:assert/strict";
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { runInNewContext } from "node:vm";
import type { RunRecord } from "../../src/record/run-record.ts";
import type { ReportData } from "../../src/report/report-data.ts";
import { runToEnd, startCli } from "../support/child-process.ts";
import { scratchDirectory, timePairComponents } from "./time-pair.ts";

const HOSTILE = "</script><script>alert(1)</script>";

function composition(results: string): string {
  return `${timePairComponents(2)}coupling:
  scheme: serial-implicit
  order: [A, B]
  window: 0.1
  max_time: 0.3
  max_iterations: 30
  convergence:
    - { field: B.m.x, measure: relative, limit: 1e-10 }
    - { field: A.m.y, measure: residual-relative, limit: 1e-9 }
  acceleration: { method: aitken, fields: [A.m.y], initial_relaxation: 0.5 }
results:
  directory: ${results}
`;
}

interface Page {
  html: string;
  data: ReportData;
  /** The inline scripts' texts, in order (the data block left out). */
  scripts: string[];
}

function readPage(file: string): Page {
  const html = readFileSync(file, "utf8");
  const block = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(block !== null, "the page holds its data block");
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((match) => match[1] as string);
  return { html, data: JSON.parse(block[1] as string) as ReportData, scripts };
}

async function report(t: TestContext, directory: string, out: string) {
  return runToEnd(startCli(t, ["report", directory, "--out", out]));
}

/** What the page's chart script asks Chart.js to draw, run with stand-ins for the DOM and for Chart.js. */
function chartsDrawn(
  page: Page,
): { chart: string; configuration: { type: string; data: { datasets: { data: unknown[]; label: string }[] } } }[] {
  const canvases = [...page.html.matchAll(/<canvas data-chart="([^"]+)"(?: data-phase="(\d+)")?/g)].map((match) => ({
    dataset: { chart: match[1], ...(match[2] === undefined ? {} : { phase: match[2] }) },
  }));
  const drawn: ReturnType<typeof chartsDrawn> = [];
  const block = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(page.html)?.[1];
  class Chart {
    static getChart() {
      return undefined;
    }
    constructor(
      canvas: { dataset: { chart: string } },
      configuration: ReturnType<typeof chartsDrawn>[number]["configuration"],
    ) {
      // Copied into this realm: the script's arrays have the other context's prototypes, which deepEqual tells apart.
      drawn.push({ chart: canvas.dataset.chart, configuration: JSON.parse(JSON.stringify(configuration)) });
    }
  }
  const document = {
    getElementById: (id: string) => (id === "report-data" ? { textContent: block } : null),
    querySelectorAll: () => canvases,
  };
  runInNewContext(page.scripts[1] as string, { document, Chart, JSON });
  return drawn;
}

test("conflux report writes one self-contained page of a real run, with its numbers, graph and charts", async (t) => {
  const directory = scratchDirectory(t, "report");
  const shm = scratchDirectory(t, "report-shm");
  const results = join(directory, "runs");
  const file = join(directory, "conflux.yaml");
  writeFileSync(file, composition(results));
  const ran = await runToEnd(startCli(t, ["run", file, "--quiet"], { CONFLUX_SHM_ROOT: shm }));
  assert.equal(ran.code, 0, ran.stderr);
  const [made] = readdirSync(results);
  assert.ok(made !== undefined);
  const run = join(results, made);
  const record = JSON.parse(readFileSync(join(run, "run.json"), "utf8")) as RunRecord;

  await t.test("the page holds everything it shows and fetches nothing", async (t) => {
    const out = join(directory, "report.html");
    const written = await report(t, run, out);
    assert.equal(written.code, 0, written.stderr);
    const page = readPage(out);
    assert.doesNotMatch(page.html, /\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i, "no reference to another host");
    assert.doesNotMatch(page.html, /<script[^>]*\bsrc\s*=/i, "no external script");
    assert.doesNotMatch(page.html, /<link\b/i, "no linked stylesheet or font");
    assert.doesNotMatch(page.html, /@import|url\(\s*["']?https?:/i, "no style fetched");
    assert.equal(page.scripts.length, 2, "Chart.js and the page's chart script, inline");
    const library: { Chart?: { register?: unknown } } = {};
    runInNewContext(page.scripts[0] as string, library);
    assert.equal(typeof library.Chart, "function", "the inlined Chart.js defines Chart by itself");

    // The composition drawn, inline: a box per component, named.
    assert.match(page.html, /<figure class="composition"><svg[\s\S]*<\/svg>\s*<\/figure>/);
    for (const component of ["A", "B"]) assert.match(page.html, new RegExp(`<title>${component}</title>`));

    // The run's own numbers, in the page data as the record has them.
    const phases = Object.keys(record.timings);
    assert.ok(phases.length > 0 && record.timingHistograms !== undefined);
    assert.ok(page.data.timings.present);
    assert.deepEqual(
      page.data.timings.phases.map((phase) => phase.phase),
      phases,
    );
    for (const phase of page.data.timings.phases) {
      const summary = record.timings[phase.phase];
      assert.ok(summary !== undefined);
      for (const key of ["n", "mean_us", "sd_us", "p50_us", "p99_us", "max_us"] as const) {
        assert.equal(phase[key], summary[key], `${phase.phase} ${key}`);
      }
      assert.ok(phase.histogram.present);
      assert.deepEqual(phase.histogram.counts, record.timingHistograms[phase.phase]?.counts);
      assert.equal(
        phase.histogram.counts.reduce((sum, count) => sum + count, 0),
        summary.n,
        "every sample in a bin",
      );
      assert.ok(page.html.includes(JSON.stringify(summary.p99_us)), `${phase.phase}'s p99 as the record writes it`);
    }
    const windows = record.convergence ?? [];
    assert.equal(windows.length, 3);
    assert.ok(page.data.convergence.present);
    assert.deepEqual(page.data.convergence.windows, windows);
    assert.ok(page.data.environments.present);
    assert.deepEqual(
      page.data.environments.processes.map((process) => [process.process, process.kind, process.pid]),
      [
        ["driver", "host process", record.driver.pid],
        ...record.enclaves.map((enclave) => [enclave.component, enclave.kind, enclave.pid]),
      ],
    );
    const driverFacts = Object.fromEntries(page.data.environments.processes[0]?.facts ?? []);
    assert.match(driverFacts.runtime ?? "", new RegExp(`node ${record.driver.environment.runtime?.versions.node}`));
    assert.equal(page.data.outliers.present, false, "a run records no outlier causes");
    assert.match(
      page.html,
      /<section id="outliers">[\s\S]*?class="absent">absent: this record holds no outlier causes/,
    );

    // The chart script draws a histogram per phase and the convergence charts from that data.
    const drawn = chartsDrawn(page);
    const histograms = drawn.filter((chart) => chart.chart === "phase-histogram");
    assert.deepEqual(
      histograms.map((chart) => chart.configuration.data.datasets[0]?.data),
      phases.map((phase) => record.timingHistograms?.[phase]?.counts),
    );
    const iterations = drawn.find((chart) => chart.chart === "window-iterations");
    assert.deepEqual(
      iterations?.configuration.data.datasets[0]?.data,
      windows.map((window) => window.iterations),
    );
    const residuals = drawn.find((chart) => chart.chart === "residuals");
    assert.equal(residuals?.configuration.type, "line");
    assert.deepEqual(
      residuals?.configuration.data.datasets.map((dataset) => dataset.label),
      Object.keys(windows[0]?.residuals ?? {}).map((field) => `${field} relative residual`),
    );
  });

  await t.test("strings from the record stay text: a hostile component name cannot break out", async (t) => {
    const copy = join(directory, "hostile");
    cpSync(run, copy, { recursive: true });
    const hostile = JSON.parse(readFileSync(join(copy, "run.json"), "utf8")) as RunRecord;
    const first = hostile.enclaves[0];
    assert.ok(first !== undefined);
    first.component = HOSTILE;
    first.description.env.HOSTILE_VALUE = HOSTILE;
    first.description.commandLine.push(HOSTILE);
    hostile.error = HOSTILE;
    const phase = Object.keys(hostile.timings)[0] as string;
    hostile.timings[HOSTILE] = hostile.timings[phase] as RunRecord["timings"][string];
    (hostile.timingHistograms ?? {})[HOSTILE] = hostile.timingHistograms?.[phase] as NonNullable<
      RunRecord["timingHistograms"]
    >[string];
    const window = hostile.convergence?.[0];
    assert.ok(window !== undefined);
    window.residuals[HOSTILE] = Object.values(window.residuals)[0] ?? [];
    writeFileSync(join(copy, "run.json"), JSON.stringify(hostile));

    const out = join(directory, "hostile.html");
    const written = await report(t, copy, out);
    assert.equal(written.code, 0, written.stderr);
    const page = readPage(out);
    assert.ok(!page.html.includes("<script>alert(1)"), "the hostile markup is nowhere in the page as markup");
    assert.equal(page.html.match(/<script\b/gi)?.length, 3, "the data block and two scripts, no more");
    assert.equal(page.html.match(/<\/script/gi)?.length, 3);
    assert.ok(page.html.includes("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"), "shown as text");
    assert.equal(page.data.overview.error, HOSTILE);
    assert.ok(page.data.environments.present);
    const process = page.data.environments.processes.find((entry) => entry.process === HOSTILE);
    assert.ok(process !== undefined, "the name comes back from the data block unchanged");
    assert.ok(process.facts.some(([, value]) => value.includes(HOSTILE)));
    assert.ok(page.data.timings.present && page.data.timings.phases.some((entry) => entry.phase === HOSTILE));
    const drawn = chartsDrawn(page);
    assert.ok(
      drawn.some((chart) => chart.configuration.data.datasets.some((dataset) => dataset.label.includes(HOSTILE))),
    );
  });

  await t.test("an older record renders without the parts it lacks, saying so", async (t) => {
    const copy = join(directory, "older");
    cpSync(run, copy, { recursive: true });
    const older = JSON.parse(readFileSync(join(copy, "run.json"), "utf8")) as RunRecord;
    delete older.timingHistograms;
    delete older.convergence;
    writeFileSync(join(copy, "run.json"), JSON.stringify(older));
    // A composition this conflux no longer reads costs only the drawing.
    writeFileSync(join(copy, older.composition.copy), "version: 0\nname: from-an-older-conflux\n");

    const out = join(directory, "older.html");
    const written = await report(t, copy, out);
    assert.equal(written.code, 0, written.stderr);
    const page = readPage(out);
    assert.ok(page.data.timings.present);
    for (const phase of page.data.timings.phases) assert.equal(phase.histogram.present, false);
    assert.match(page.html, /histogram absent: this record predates timing histograms/);
    assert.equal(page.data.convergence.present, false);
    assert.match(
      page.html,
      /<section id="convergence"><h2>Convergence<\/h2>\s*<p class="absent">absent: this record holds no completed window/,
    );
    assert.match(
      page.html,
      /<section id="composition">[\s\S]*?class="absent">the composition copy composition-conflux\.yaml does not parse/,
    );
    assert.doesNotMatch(page.html, /<svg/);
    assert.deepEqual(chartsDrawn(page), [], "nothing to draw, and the script says nothing of it");
  });

  await t.test("bad input: the message names the file and the fix, never a stack trace", async (t) => {
    const expectRefusal = async (target: string, message: RegExp, out = join(directory, "refused.html")) => {
      const refused = await report(t, target, out);
      assert.equal(refused.code, 2, refused.stderr);
      assert.match(refused.stderr, message);
      assert.doesNotMatch(refused.stderr, /\n\s+at /, "no stack trace");
    };
    const empty = join(directory, "empty");
    cpSync(join(run, "fields"), join(empty, "fields"), { recursive: true });
    await expectRefusal(
      empty,
      new RegExp(
        `${empty} is not a run directory: it has no run\\.json\\. Give a directory that \`conflux run\` wrote`,
      ),
    );

    const malformed = join(directory, "malformed");
    cpSync(run, malformed, { recursive: true });
    writeFileSync(join(malformed, "run.json"), '{"format": "conflux-run", "version": 2,');
    await expectRefusal(
      malformed,
      new RegExp(`${join(malformed, "run.json")} is not valid JSON .*the record is damaged`),
    );

    const missing = join(directory, "missing");
    cpSync(run, missing, { recursive: true });
    rmSync(join(missing, record.composition.copy));
    await expectRefusal(
      missing,
      new RegExp(`${join(missing, record.composition.copy)} is missing: .*run the composition again`),
    );

    await expectRefusal(
      run,
      /cannot write .*nowhere\/report\.html .*give --out a writable path/,
      join(directory, "nowhere", "report.html"),
    );
  });
});
