// report/sections/ owns the page's sections as HTML: overview, composition, environment, timings, outliers, convergence.
// It must not draw charts or read files: a section writes escaped HTML from the page data and leaves canvases to the script.

// How the page says a part of the record is missing: the section keeps its heading, so a reader sees what an older
// record or another kind of run lacks instead of wondering where it went.
import { escapeHtml } from "../html-text.ts";

export function absentNote(why: string): string {
  return `<p class="absent">${escapeHtml(why)}</p>`;
}

export function section(id: string, title: string, body: string): string {
  return `<section id="${id}"><h2>${escapeHtml(title)}</h2>\n${body}\n</section>`;
}
