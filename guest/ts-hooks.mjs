// The guest's TypeScript hook: a .ts module is served from its compiled copy
// at /conflux/compiled<its path>.js, made on the host with esbuild when the
// image was built (src/enclave/vm/image/typescript-precompile.ts). The module keeps its own
// URL, so import.meta.url and process.argv[1] are what they are on the host.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const COMPILED = "/conflux/compiled";
const TYPESCRIPT = /\.(ts|mts)$/;

export async function load(url, context, nextLoad) {
  if (url.startsWith("file:") && TYPESCRIPT.test(url)) {
    const compiled = `${COMPILED}${fileURLToPath(url)}.js`;
    try {
      return { format: "module", source: await readFile(compiled, "utf8"), shortCircuit: true };
    } catch {
      // not compiled in advance: Node.js says why it cannot load it
    }
  }
  return nextLoad(url, context);
}
