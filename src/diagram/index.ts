// diagram/ owns pictures of a composition: its components, where they run, and what flows between them.
// It must not load, check or run anything: it draws a composition the compose layer has already read.
export { componentLines, compositionDot, operatorPhrase } from "./composition-dot.ts";
export { dotToSvg } from "./render-svg.ts";
