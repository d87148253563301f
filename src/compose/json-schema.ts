// The JSON Schema of the composition file, for editor completion and checking
// as one types (e.g. the YAML language server's `# yaml-language-server: $schema=…`).
import * as z from "zod";
import { COMPOSITION_VERSION, compositionSchema } from "./schema.ts";

export function compositionJsonSchema(): Record<string, unknown> {
  // The input side: keys that have defaults are optional to whoever writes the file.
  const { $schema, ...generated } = z.toJSONSchema(compositionSchema, { io: "input", target: "draft-2020-12" });
  return { $schema, title: `Conflux composition, version ${COMPOSITION_VERSION}`, ...generated };
}
