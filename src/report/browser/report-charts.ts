// report/browser/ owns what runs in the reader's browser: the page's entry, and the charts it draws with Chart.js.
// It must not read records or reach Node: it takes everything from the page's JSON block, in the static report and a live view.
/// <reference lib="dom" />
// The report's charts, drawn in the browser with Chart.js from the page data: a histogram per timed phase, the
// iterations per window and the residuals of a run in time. Each chart finds its canvas by data-chart, so the
// static report and a live view (which redraws as data arrive) share the page parts and this script.
import type { Chart as ChartClass, ChartConfiguration } from "chart.js";
import type { PhaseTiming, ReportData } from "../report-data.ts";

/** Chart.js's UMD build, inlined before this script, defines the global. */
declare const Chart: typeof ChartClass;

const COLOURS = ["#3b6fb6", "#c2553a", "#3d9a5b", "#8c5bb5", "#b58a2c", "#2c9ab5"];

const micro = (value: number) =>
  value >= 1000 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value >= 1 ? value.toFixed(2) : value.toFixed(3);

/** A bar chart's options: counts from zero against a category axis, drawn at once. */
function barOptions(xTitle: string, yTitle: string): ChartConfiguration<"bar">["options"] {
  return {
    animation: false,
    maintainAspectRatio: false,
    scales: {
      x: { title: { display: true, text: xTitle } },
      y: { title: { display: true, text: yTitle }, beginAtZero: true },
    },
  };
}

function phaseHistogram(phase: PhaseTiming): ChartConfiguration<"bar"> | undefined {
  if (!phase.histogram.present) return undefined;
  const { edges_us: edges, counts } = phase.histogram;
  const labels = counts.map((_, bin) => `${micro(edges[bin] as number)}–${micro(edges[bin + 1] as number)}`);
  return {
    type: "bar",
    data: {
      labels,
      datasets: [
        {
          label: `${phase.phase} (samples per bin)`,
          data: counts,
          backgroundColor: COLOURS[0],
          // Bins touch, as a histogram's do.
          categoryPercentage: 1,
          barPercentage: 1,
        },
      ],
    },
    options: barOptions("µs (logarithmic bins)", "samples"),
  };
}

function windowIterations(windows: ReportData["convergence"]): ChartConfiguration<"bar"> | undefined {
  if (!windows.present) return undefined;
  return {
    type: "bar",
    data: {
      labels: windows.windows.map((window) => String(window.window)),
      datasets: [
        {
          label: "iterations per window (red: did not converge)",
          data: windows.windows.map((window) => window.iterations),
          backgroundColor: windows.windows.map((window) => (window.converged ? COLOURS[0] : COLOURS[1])) as string[],
        },
      ],
    },
    options: barOptions("window", "iterations"),
  };
}

/** Every measured field's relative residual against the run's coupling iteration, windows one after another. */
function residuals(windows: ReportData["convergence"]): ChartConfiguration<"line"> | undefined {
  if (!windows.present) return undefined;
  const fields = [...new Set(windows.windows.flatMap((window) => Object.keys(window.residuals)))];
  const labels: string[] = [];
  const series = new Map<string, (number | null)[]>(fields.map((field) => [field, []]));
  for (const [index, window] of windows.windows.entries()) {
    // A gap between windows: each window's iterations start again from its own first guess.
    if (index > 0) {
      labels.push("");
      for (const field of fields) (series.get(field) as (number | null)[]).push(null);
    }
    for (let iteration = 0; iteration < window.iterations; iteration++) {
      labels.push(`w${window.window}·${iteration + 1}`);
      for (const field of fields) {
        const value = window.residuals[field]?.[iteration]?.relative;
        // A logarithmic axis has no place for zero (a window whose values stopped changing): leave a gap.
        (series.get(field) as (number | null)[]).push(value === undefined || value <= 0 ? null : value);
      }
    }
  }
  return {
    type: "line",
    data: {
      labels,
      datasets: fields.map((field, index) => ({
        label: `${field} relative residual`,
        data: series.get(field) as (number | null)[],
        borderColor: COLOURS[index % COLOURS.length],
        backgroundColor: COLOURS[index % COLOURS.length],
        pointRadius: 2,
        spanGaps: false,
      })),
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: {
        x: { title: { display: true, text: "window · iteration" } },
        y: {
          type: "logarithmic",
          title: { display: true, text: "‖Δ‖ / ‖x̃‖" },
          // Chart.js writes a logarithmic tick in full decimals (0.0000000001): a power of ten reads better.
          ticks: { callback: (value) => Number(value).toExponential(0) },
        },
      },
    },
  };
}

function configurationFor(canvas: HTMLCanvasElement, data: ReportData): ChartConfiguration | undefined {
  switch (canvas.dataset.chart) {
    case "phase-histogram": {
      const phase = data.timings.present ? data.timings.phases[Number(canvas.dataset.phase)] : undefined;
      return phase === undefined ? undefined : (phaseHistogram(phase) as ChartConfiguration);
    }
    case "window-iterations":
      return windowIterations(data.convergence) as ChartConfiguration | undefined;
    case "residuals":
      return residuals(data.convergence) as ChartConfiguration | undefined;
    default:
      return undefined;
  }
}

/** Draws every chart of `root` from `data`, replacing what an earlier call drew there. */
export function drawCharts(data: ReportData, root: ParentNode = document): void {
  for (const canvas of root.querySelectorAll<HTMLCanvasElement>("canvas[data-chart]")) {
    Chart.getChart(canvas)?.destroy();
    const configuration = configurationFor(canvas, data);
    if (configuration !== undefined) new Chart(canvas, configuration);
  }
}
