// The HTML document around a report's parts: one file with its style, data and scripts inline, which opens from
// disk with no server and no network. The parts are HTML fragments (sections/), so a live view can put the same
// parts into a page of its own and draw the same charts.
import { escapeHtml } from "./html-text.ts";
import { jsonScriptBlock } from "./json-script.ts";
import { PAGE_STYLE } from "./page-style.ts";

export interface PageParts {
  title: string;
  /** HTML fragments, in order. */
  body: string[];
  /** What the page's scripts read, as the JSON block `report-data`. */
  data: unknown;
  /** Script texts, inlined in order after the data. */
  scripts: string[];
}

/** A script's text inside a script element: `</script` in it would end the element early, so it is broken up. */
function inlineScript(text: string): string {
  return `<script>${text.replace(/<\/(script)/gi, "<\\/$1")}</script>`;
}

export function pageShell(parts: PageParts): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(parts.title)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
${parts.body.join("\n")}
${jsonScriptBlock("report-data", parts.data)}
${parts.scripts.map(inlineScript).join("\n")}
</body>
</html>
`;
}
