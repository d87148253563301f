// Loaded with `node --import` in a guest: installs the hooks that run the
// TypeScript modules of the image from JavaScript compiled on the host. Under
// TCG, loading tsx and starting esbuild costs seconds per launch; reading a
// file compiled in advance costs nothing.
import { register } from "node:module";

register("./ts-hooks.mjs", import.meta.url);
// Stack traces name the TypeScript lines (the compiled copies carry inline source maps), as under tsx.
process.setSourceMapsEnabled(true);
