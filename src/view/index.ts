// view/ owns the pages a browser shows of a run while it goes and after it: state, server, the page's scripts.
// It must not change a run: it reads the driver's meshes and samples between steps, and a finished record.

export { liveRunFacts } from "./live-run-facts.ts";
export { LiveView } from "./live-view.ts";
export { runDirectoryState } from "./run-directory-state.ts";
export { viewPage } from "./view-page.ts";
export { serveView, VIEW_HOST, type ViewServer, ViewServerError } from "./view-server.ts";
export type { ViewState } from "./view-state.ts";
