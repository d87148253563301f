// The sections a view shows, the static report's own (src/report/sections), from the same page data: the
// overview, the composition drawn, timings with their histograms, convergence; and, once the run is over and
// its record says them, the environments and outliers.
import {
  type CompositionDrawing,
  compositionSection,
  convergenceSection,
  environmentSection,
  outliersSection,
  overviewSection,
  type ReportData,
  timingsSection,
} from "../report/index.ts";

export function viewSections(data: ReportData, drawing: CompositionDrawing, finished: boolean): string[] {
  const sections = [
    overviewSection(data.overview),
    compositionSection(drawing),
    timingsSection(data.timings),
    convergenceSection(data.convergence),
  ];
  if (finished) sections.push(environmentSection(data.environments), outliersSection(data.outliers));
  return sections;
}
