/// <reference lib="dom" />
// The static report's entry: read the page data from its JSON block once, draw the charts.
import type { ReportData } from "../report-data.ts";
import { drawCharts } from "./report-charts.ts";

const block = document.getElementById("report-data");
if (block?.textContent) drawCharts(JSON.parse(block.textContent) as ReportData);
