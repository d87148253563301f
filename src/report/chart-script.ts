// The scripts a report page inlines: Chart.js's own minified build, as its package ships it, and the page's chart
// script, built from browser/ into one minified script. Both are read from the package, so a page needs no
// network and no server.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const require = createRequire(import.meta.url);

/** Chart.js's UMD build (it defines the global `Chart`), minified by its authors. */
export function chartLibraryScript(): string {
  // The package's exports map names neither that build nor package.json; its CommonJS entry lies beside the build.
  return readFileSync(new URL("chart.umd.min.js", pathToFileURL(require.resolve("chart.js"))), "utf8");
}

/** The page's own script from `entry` (a file of browser/), its imports inlined, for the browser. */
export function pageScript(entry = "report-page-main.ts"): Promise<string> {
  return browserScript(fileURLToPath(new URL(`browser/${entry}`, import.meta.url)));
}

/**
 * A browser script from the TypeScript file `entryPath`, its imports (ours and packages', e.g. three.js)
 * inlined into one minified script; Chart.js stays the global its own build defines.
 */
export async function browserScript(entryPath: string): Promise<string> {
  const result = await build({
    entryPoints: [entryPath],
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2020",
    minify: true,
    // Chart.js comes as the global its own build defines; only its types are imported in browser code.
    external: ["chart.js"],
    legalComments: "none",
    logLevel: "warning",
    write: false,
  });
  return result.outputFiles.map((file) => file.text).join("");
}
