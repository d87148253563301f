// What the view's page polls for (`state.json`): the report's sections and their data, the run's progress, and
// each mesh's points with their fields, for the point view. One shape for a run still going and a finished one.
import type { ReportData } from "../report/index.ts";
import type { MeshPoints } from "./mesh-points.ts";

export interface ViewProgress {
  /** False once the run has ended (or for a run directory). */
  running: boolean;
  status: ReportData["overview"]["status"];
  completed: number;
  /** 0 when not known beforehand (a run in time whose windows are set by the first participant). */
  planned: number;
  unit: ReportData["overview"]["unit"];
  elapsedMs: number;
  /** At the rate so far; null until a step is done, or when the plan is not known. */
  leftMs: number | null;
}

export interface ViewState {
  progress: ViewProgress;
  /** HTML fragments, as the static report draws them from `data`. */
  sections: string[];
  data: ReportData;
  meshes: MeshPoints[];
  /** What the view could not show, and why (a field file that is not its mesh's size). */
  notes: string[];
}
