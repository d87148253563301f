// The view's page: the report's shell and style, an element for the progress, one for the sections (which the
// page's script replaces as states arrive) and the point view; Chart.js and the view's script (three.js bundled
// in) inline. The page holds no run data of its own: it reads state.json, at once and then every second while
// the run goes.
import { fileURLToPath } from "node:url";
import { browserScript, chartLibraryScript, pageShell } from "../report/index.ts";

const VIEW_STYLE = `
.progress-line { display: flex; gap: 1rem; align-items: center; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.9rem; }
.progress-line progress { flex: 1; height: 1rem; }
.point-view { position: relative; height: 28rem; border: 1px solid #d5dbe5; border-radius: 0.4rem; background: #f7f9fc; }
.point-view canvas { width: 100%; height: 100%; display: block; }
.point-controls { display: flex; gap: 1rem; align-items: center; margin: 0.4rem 0; font-size: 0.9rem; }
.legend { display: flex; gap: 0.5rem; align-items: center; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.8rem; }
.legend .ramp { width: 12rem; height: 0.8rem; border: 1px solid #c0c8d4; }
`;

const BODY = `<style>${VIEW_STYLE}</style>
<div class="progress-line" id="progress"><span id="progress-text">waiting for the run…</span><progress id="progress-bar" max="1" value="0"></progress><span id="progress-left"></span></div>
<div id="sections"></div>
<section id="points"><h2>Meshes</h2>
<div class="point-controls"><label>mesh <select id="mesh-choice"></select></label><label>field <select id="field-choice"></select></label>
<span class="legend"><span id="legend-min"></span><span class="ramp" id="legend-ramp"></span><span id="legend-max"></span></span></div>
<p class="summary" id="points-summary"></p>
<div class="point-view" id="point-view"></div></section>
<ul id="notes" class="absent"></ul>`;

export async function viewPage(title: string): Promise<string> {
  return pageShell({
    title,
    body: [BODY],
    data: null,
    scripts: [
      chartLibraryScript(),
      await browserScript(fileURLToPath(new URL("browser/view-page-main.ts", import.meta.url))),
    ],
  });
}
