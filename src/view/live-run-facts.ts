// What a live view shows of a run before its driver starts: its name, its components and scheme, and the
// composition drawn, from the composition file `conflux run` was given.
import { loadComposition } from "../compose/index.ts";
import { compositionDot, dotToSvg } from "../diagram/index.ts";
import type { LiveRunFacts } from "./live-state.ts";

export async function liveRunFacts(file: string, commandLine: string[]): Promise<LiveRunFacts> {
  // The run checks the file itself, and says what is wrong with it; the view only draws it.
  const composition = loadComposition(file, { checkFiles: false });
  return {
    name: composition.name,
    compositionFile: composition.source,
    commandLine,
    components: Object.keys(composition.components),
    ...(composition.coupling.window === undefined ? {} : { scheme: composition.coupling.scheme }),
    drawing: { present: true, svg: await dotToSvg(compositionDot(composition)) },
    startedUnixMs: Date.now(),
  };
}
