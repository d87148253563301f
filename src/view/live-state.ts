// The view of a run still going, taken from the driver's own thread between two iterations (LiveRunSources):
// the page data the static report would draw from a record of the run so far (timings and histograms of every
// sample yet, the windows completed), its progress and time left, and every mesh's points as shared memory
// holds them now. Costs a pass over the samples and the meshes; the live view takes it about once a second.
import type { LiveRunSources } from "../coupling/live-sources.ts";
import { phaseHistograms, phaseSummaries } from "../record/run-record.ts";
import { type CompositionDrawing, type ReportRecord, reportData } from "../report/index.ts";
import { summarize } from "../stats/distribution.ts";
import { meshPoints } from "./mesh-points.ts";
import { viewSections } from "./view-sections.ts";
import type { ViewState } from "./view-state.ts";

/** What the view knows of the run from its composition, before the driver starts. */
export interface LiveRunFacts {
  name: string;
  compositionFile: string;
  commandLine: string[];
  components: string[];
  /** A run in time: its scheme. */
  scheme?: string;
  drawing: CompositionDrawing;
  startedUnixMs: number;
}

/** Where the loop is: steps done of those planned, and when it started (the rate since gives the time left). */
export interface LiveProgress {
  completed: number;
  planned: number;
  loopStartedUnixMs: number | undefined;
}

export function liveState(facts: LiveRunFacts, sources: LiveRunSources | undefined, at: LiveProgress): ViewState {
  const { completed, planned, loopStartedUnixMs } = at;
  const now = Date.now();
  const samples = sources?.phaseSamples() ?? [];
  const record: ReportRecord = {
    name: facts.name,
    runId: sources?.runId ?? "(starting)",
    status: "running",
    composition: { file: facts.compositionFile, sha256: "", bytes: 0, copy: "" },
    commandLine: facts.commandLine,
    startedUnixMs: facts.startedUnixMs,
    finishedUnixMs: now,
    iterations: { planned, completed },
    timings: phaseSummaries(samples.map(({ phase, samples: values }) => ({ phase, distribution: summarize(values) }))),
    timingHistograms: phaseHistograms(samples),
    setupMs: { ...(sources?.setupMs ?? {}) },
    ...(facts.scheme === undefined
      ? {}
      : {
          time: { scheme: facts.scheme, window: 0, iterations: 0 },
          convergence: [...(sources?.windows() ?? [])],
        }),
  };
  const data = reportData(record, facts.components);
  const elapsedMs = now - facts.startedUnixMs;
  const meshes = [...(sources?.meshes.values() ?? [])].map((mesh) =>
    meshPoints(
      {
        mesh: `${mesh.component}.${mesh.name}`,
        dimension: mesh.spec.dimension,
        layout: mesh.spec.layout,
        count: mesh.spec.count,
        coordinates: mesh.coordinates,
      },
      mesh.spec.fields.map((field) => [field, mesh.field(field)]),
    ),
  );
  return {
    progress: {
      running: true,
      status: "running",
      completed,
      planned,
      unit: data.overview.unit,
      elapsedMs,
      leftMs:
        completed > 0 && planned > 0 && loopStartedUnixMs !== undefined
          ? ((now - loopStartedUnixMs) / completed) * Math.max(0, planned - completed)
          : null,
    },
    sections: viewSections(data, facts.drawing, false),
    data,
    meshes,
    notes: [],
  };
}
