// A finished run's report, as one self-contained HTML page: the record read (record-input.ts), its page data
// (report-data.ts), the composition drawn by src/diagram, the sections, the shell and the charts' scripts.
import { compositionDot, dotToSvg } from "../diagram/index.ts";
import { chartLibraryScript, pageScript } from "./chart-script.ts";
import { pageShell } from "./page-shell.ts";
import { readRecordInput } from "./record-input.ts";
import { reportData } from "./report-data.ts";
import { type CompositionDrawing, compositionSection } from "./sections/composition-section.ts";
import { convergenceSection } from "./sections/convergence-section.ts";
import { environmentSection } from "./sections/environment-section.ts";
import { outliersSection } from "./sections/outliers-section.ts";
import { overviewSection } from "./sections/overview-section.ts";
import { timingsSection } from "./sections/timings-section.ts";

export async function reportPage(directory: string): Promise<string> {
  const { record, composition } = readRecordInput(directory);
  const components = composition.present
    ? Object.keys(composition.document.components)
    : (record.enclaves ?? []).map((enclave) => enclave.component);
  const data = reportData(record, components);
  const drawing: CompositionDrawing = composition.present
    ? { present: true, svg: await dotToSvg(compositionDot(composition.document)) }
    : composition;
  return pageShell({
    title: `conflux run ${record.name} ${record.runId}`,
    body: [
      overviewSection(data.overview),
      compositionSection(drawing),
      environmentSection(data.environments),
      timingsSection(data.timings),
      convergenceSection(data.convergence),
      outliersSection(data.outliers),
    ],
    data,
    scripts: [chartLibraryScript(), await pageScript()],
  });
}
