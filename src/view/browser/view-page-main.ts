/// <reference lib="dom" />
// The view page's entry: read state.json now and then every second while the run goes; put the sections in
// (and draw their charts) when they changed, the progress always, and the chosen mesh and field in the point view.
import { drawCharts } from "../../report/browser/report-charts.ts";
import type { ViewState } from "../view-state.ts";
import { PointView } from "./point-view.ts";

const POLL_MS = 1000;

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const sections = byId<HTMLDivElement>("sections");
const meshChoice = byId<HTMLSelectElement>("mesh-choice");
const fieldChoice = byId<HTMLSelectElement>("field-choice");
let pointView: PointView | undefined;
let shownSections = "";
let latest: ViewState | undefined;

function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds < 120 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

function showProgress(state: ViewState): void {
  const { progress } = state;
  const planned = progress.planned > 0 ? String(progress.planned) : "?";
  byId("progress-text").textContent =
    `${progress.status}: ${progress.completed} of ${planned} ${progress.unit} in ${duration(progress.elapsedMs)}`;
  const bar = byId<HTMLProgressElement>("progress-bar");
  bar.max = Math.max(progress.planned, 1);
  bar.value = progress.planned > 0 ? progress.completed : 0;
  byId("progress-left").textContent =
    progress.leftMs === null ? "" : progress.running ? `about ${duration(progress.leftMs)} left` : "";
}

/** Fills a select with `names`, keeping the reader's choice when it is still there. */
function offer(select: HTMLSelectElement, names: string[]): void {
  const chosen = select.value;
  if ([...select.options].map((option) => option.value).join("\n") !== names.join("\n")) {
    select.replaceChildren(...names.map((name) => new Option(name, name)));
  }
  if (names.includes(chosen)) select.value = chosen;
}

function showPoints(state: ViewState): void {
  offer(
    meshChoice,
    state.meshes.map((mesh) => mesh.mesh),
  );
  const mesh = state.meshes.find((candidate) => candidate.mesh === meshChoice.value) ?? state.meshes[0];
  const summary = byId("points-summary");
  if (mesh === undefined) {
    summary.textContent = "no mesh to show";
    return;
  }
  offer(
    fieldChoice,
    mesh.fields.map((field) => field.field),
  );
  const field = mesh.fields.find((candidate) => candidate.field === fieldChoice.value) ?? mesh.fields[0];
  pointView ??= new PointView(byId("point-view"));
  pointView.show(mesh, field);
  byId("legend-ramp").style.background = pointView.ramp();
  byId("legend-min").textContent = field?.min === null || field === undefined ? "" : field.min.toPrecision(4);
  byId("legend-max").textContent = field?.max === null || field === undefined ? "" : field.max.toPrecision(4);
  const thinned = mesh.shown < mesh.points ? ` (every ${Math.ceil(mesh.points / mesh.shown)}th of ${mesh.points})` : "";
  const gaps = field !== undefined && field.nonFinite > 0 ? `; ${field.nonFinite} values not finite, in grey` : "";
  summary.textContent = `${mesh.mesh}: ${mesh.shown} points shown${thinned}, coloured by ${field?.field ?? "nothing"}${gaps}`;
}

function show(state: ViewState): void {
  latest = state;
  showProgress(state);
  const text = state.sections.join("\n");
  if (text !== shownSections) {
    sections.innerHTML = text;
    shownSections = text;
    drawCharts(state.data, sections);
  }
  showPoints(state);
  byId("notes").replaceChildren(
    ...state.notes.map((note) => {
      const item = document.createElement("li");
      item.textContent = note;
      return item;
    }),
  );
  document.body.dataset.completed = String(state.progress.completed);
  document.body.dataset.running = String(state.progress.running);
}

async function poll(): Promise<void> {
  let state: ViewState;
  try {
    const response = await fetch("state.json", { cache: "no-store" });
    state = (await response.json()) as ViewState;
  } catch {
    // The run is over and its server gone: the page keeps the last state it had.
    if (latest !== undefined) byId("progress-left").textContent = "the run's view has closed; this is its last state";
    return;
  }
  show(state);
  if (state.progress.running) setTimeout(poll, POLL_MS);
}

meshChoice.addEventListener("change", () => latest && showPoints(latest));
fieldChoice.addEventListener("change", () => latest && showPoints(latest));
void poll();
