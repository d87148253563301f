// Whether a built bundle is still its sources' build. The build (scripts/bundles.mjs)
// writes beside each bundle a listing of every input with its size, time and
// sha256; this compares them with the files now. A size that differs is a
// change; the same size and time is no change (one stat per input, a few ms
// for the CLI's ~600); the same size at another time is decided by the hash,
// because an install (npm pack, then npm install) gives every file a new time.
//
// Plain JavaScript: bin/conflux.js runs it before any TypeScript can load.
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * Why the bundle the listing at `listing` describes is not what its sources (paths relative to `root`)
 * would build now, or undefined when it is.
 *
 * @param {string} listing
 * @param {string} root
 * @returns {string | undefined}
 */
export function bundleStale(listing, root) {
  let recorded;
  try {
    recorded = JSON.parse(readFileSync(listing, "utf8"));
    statSync(join(dirname(listing), recorded.bundle));
  } catch {
    return "it has not been built";
  }
  if (!Array.isArray(recorded.inputs)) return "its listing of inputs is unreadable";
  for (const input of recorded.inputs) {
    const path = join(root, input.path);
    let now;
    try {
      now = statSync(path);
    } catch {
      return `${input.path} is gone`;
    }
    if (now.size !== input.size) return `${input.path} changed since it was built`;
    if (now.mtimeMs === input.mtimeMs) continue;
    if (fileSha256(path) !== input.sha256) return `${input.path} changed since it was built`;
  }
  return undefined;
}

/**
 * @param {string} path
 * @returns {string}
 */
export function fileSha256(path) {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}
