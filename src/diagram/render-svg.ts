// SVG from DOT with Graphviz itself, compiled to WebAssembly and shipped in an npm package: no program to install,
// and the same layout on every machine.
import { instance } from "@viz-js/viz";

export async function dotToSvg(dot: string): Promise<string> {
  const viz = await instance();
  return viz.renderString(dot, { format: "svg", engine: "dot" });
}
