// From a path in the parsed data (["transfers", 0, "to"]) back to the line and
// column in the YAML source, so that every problem points at the text to edit.
import { type Document, isAlias, isMap, isScalar, isSeq, type LineCounter, type Node } from "yaml";
import type { Problem } from "./problem.ts";

export type DataPath = readonly (string | number)[];

/**
 * A problem before it has a place in the file. `at` says which text to point at:
 * the value, the key itself (unknown or misplaced keys), or, for a key that is
 * missing, the mapping that lacks it.
 */
export interface Finding {
  path: DataPath;
  at: "value" | "key" | "missing";
  message: string;
  hint?: string;
}

/** `components.appA.meshes["my mesh"]`, `transfers[0].to`. */
export function formatPath(path: DataPath): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(segment)) text += text === "" ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

interface Located {
  /** The deepest node reached by the path, or null when the value is empty or absent. */
  node: Node | null;
  /** The key of that node in its mapping, if it is in one. */
  key: Node | null;
  /** Whether every segment of the path was found. */
  complete: boolean;
}

function walk(document: Document, path: DataPath): Located {
  let node = document.contents as Node | null;
  let key: Node | null = null;
  for (const segment of path) {
    // An alias stands for its anchor's node; problems inside it point at the anchor.
    const current = node !== null && isAlias(node) ? (node.resolve(document) ?? null) : node;
    if (isMap(current)) {
      const pair = current.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (pair === undefined) return { node: current, key, complete: false };
      key = pair.key as Node;
      node = (pair.value as Node | null) ?? null;
    } else if (isSeq(current) && typeof segment === "number" && segment < current.items.length) {
      key = null;
      node = (current.items[segment] as Node | null) ?? null;
    } else {
      return { node: current, key, complete: false };
    }
  }
  return { node, key, complete: true };
}

function offsetOf(node: Node | null): number | undefined {
  return node?.range?.[0];
}

/** Places a finding in the source. */
export function locate(document: Document, lines: LineCounter, file: string, finding: Finding): Problem {
  const found = walk(document, finding.path);
  let offset: number | undefined;
  if (finding.at === "key") offset = offsetOf(found.key) ?? offsetOf(found.node);
  else if (finding.at === "missing") {
    // The key is absent: point at the mapping that should hold it, by its own key when it has one.
    const walkedToParent = found.complete ? walk(document, finding.path.slice(0, -1)) : found;
    offset = offsetOf(walkedToParent.key) ?? offsetOf(walkedToParent.node);
  } else offset = offsetOf(found.node) ?? offsetOf(found.key);
  const position = offset === undefined ? { line: 1, col: 1 } : lines.linePos(offset);
  const problem: Problem = {
    file,
    line: position.line,
    column: position.col,
    path: formatPath(finding.path),
    message: finding.message,
  };
  if (finding.hint !== undefined) problem.hint = finding.hint;
  return problem;
}
