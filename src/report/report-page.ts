// A finished run's report, as one self-contained HTML page: the record read (record-input.ts), its page data
// (report-data.ts), the composition drawn by src/diagram, the sections, the shell and the charts' scripts.
import { chartLibraryScript, pageScript } from "./chart-script.ts";
import { drawnRecord } from "./drawn-record.ts";
import { pageShell } from "./page-shell.ts";
import { reportData } from "./report-data.ts";
import { compositionSection } from "./sections/composition-section.ts";
import { convergenceSection } from "./sections/convergence-section.ts";
import { environmentSection } from "./sections/environment-section.ts";
import { outliersSection } from "./sections/outliers-section.ts";
import { overviewSection } from "./sections/overview-section.ts";
import { timingsSection } from "./sections/timings-section.ts";

export async function reportPage(directory: string): Promise<string> {
  const { record, components, drawing } = await drawnRecord(directory);
  const data = reportData(record, components);
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
