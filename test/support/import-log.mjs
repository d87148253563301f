// `node --import <this file> …` appends the URL of every module the process
// loads, one per line, to the file $CONFLUX_IMPORT_LOG: what a test checks to
// see which of the package's files a command loaded.
import { register } from "node:module";

register("./import-log-hooks.mjs", import.meta.url);
