// The report's look, inlined in the page: readable on screen and printed, no web fonts (nothing is fetched).
export const PAGE_STYLE = `
:root { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1d2430; }
body { max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; line-height: 1.4; }
h1 { font-size: 1.5rem; margin-bottom: 0.25rem; }
h2 { font-size: 1.2rem; border-bottom: 1px solid #d5dbe5; padding-bottom: 0.2rem; margin-top: 2rem; }
h3 { font-size: 1rem; margin: 0.8rem 0 0.3rem; }
.run-id, .kind { color: #5b6678; font-weight: normal; font-size: 0.85em; }
.status { display: inline-block; padding: 0.1rem 0.6rem; border-radius: 0.8rem; background: #e1e6ee; margin: 0; }
.status-completed { background: #d9f0df; } .status-failed { background: #f7d9d3; } .status-interrupted { background: #f5ecc8; }
.error { background: #fbeae6; border-left: 4px solid #c2553a; padding: 0.5rem 0.8rem; white-space: pre-wrap; }
.absent { color: #5b6678; font-style: italic; }
table.facts { border-collapse: collapse; font-size: 0.9rem; margin: 0.4rem 0; }
table.facts th { text-align: left; font-weight: 600; padding: 0.15rem 1rem 0.15rem 0; vertical-align: top; white-space: nowrap; }
table.facts td { padding: 0.15rem 0; word-break: break-word; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.85rem; }
article.process, article.phase { border: 1px solid #d5dbe5; border-radius: 0.4rem; padding: 0.3rem 0.9rem 0.6rem; margin: 0.8rem 0; }
.summary { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.85rem; margin: 0.2rem 0; }
.chart { position: relative; height: 14rem; }
.chart.tall { height: 20rem; }
figure.composition { margin: 0; overflow-x: auto; }
figure.composition { padding: 0 3rem; }
/* Graphviz sizes labels by its own font metrics; a wider fallback font must not be cut at the drawing's edge. */
figure.composition svg { max-width: 100%; height: auto; overflow: visible; }
@media print { .chart { break-inside: avoid; } }
`;
