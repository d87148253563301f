// The loader hook behind import-log.mjs: every resolved URL, as the process resolves it.
import { appendFileSync } from "node:fs";

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  appendFileSync(process.env.CONFLUX_IMPORT_LOG, `${resolved.url}\n`);
  return resolved;
}
