// scaffold/ owns `conflux init`: a new component in TypeScript, Python or C with a composition that runs it at once.
// It must not run a coupling: it writes files (and builds a C component), and `conflux run` does the rest.
export { SCAFFOLD_LANGUAGES, type ScaffoldLanguage } from "./scaffold-files.ts";
export { type Scaffold, ScaffoldError, writeScaffold } from "./write-scaffold.ts";
