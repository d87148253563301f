// YAML syntax errors, each with its place and a hint in plain words: the YAML
// library's messages say what the parser saw, not what to type.
import { type Document, isAlias, isScalar, type LineCounter, visit, type YAMLError } from "yaml";
import type { Problem } from "./problem.ts";

const TAB_HINT = "Indent with spaces; YAML does not allow tabs.";

const HINTS: Record<string, string> = {
  TAB_AS_INDENT: TAB_HINT,
  DUPLICATE_KEY: "Each key may appear once in a mapping; remove or rename one of them.",
  BAD_INDENT: "Check the indentation: entries of one mapping or list start in the same column.",
  MISSING_CHAR: "Close the quote or bracket that was opened.",
  BLOCK_AS_IMPLICIT_KEY:
    'Put a nested mapping on its own lines, indented under its key, or quote a value containing ": ".',
  MULTIPLE_DOCS: 'A composition is one YAML document; remove the "---" separator and what follows.',
  UNEXPECTED_TOKEN: "Check the punctuation here; quote a value that contains YAML punctuation such as : { } [ ] , # &.",
  MULTILINE_IMPLICIT_KEY: "A key must fit on one line; check for a missing colon on the line before.",
};

/** The key a duplicate-key error points at: the library's message does not name it. */
function keyAt(document: Document, offset: number): string | undefined {
  let found: string | undefined;
  visit(document, {
    Pair(_key, pair) {
      if (isScalar(pair.key) && pair.key.range?.[0] === offset) {
        found = String(pair.key.value);
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

function toProblem(document: Document, error: YAMLError, lines: LineCounter, file: string): Problem {
  const position = lines.linePos(error.pos[0]);
  // The library's message may carry a source excerpt after a newline; the place is given already.
  let message = (error.message.split("\n")[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, "");
  const duplicate = error.code === "DUPLICATE_KEY" ? keyAt(document, error.pos[0]) : undefined;
  if (duplicate !== undefined) message = `key "${duplicate}" appears twice in the same mapping`;
  return {
    file,
    line: position.line,
    column: position.col,
    path: "",
    message: `YAML syntax: ${message.charAt(0).toLowerCase()}${message.slice(1)}`,
    hint: HINTS[error.code] ?? "Check the YAML syntax here.",
  };
}

/**
 * Lines indented with a tab. The YAML library often reports these as some
 * later, puzzling error on the same line, so they are found here first.
 */
function tabIndentProblems(text: string, file: string): Problem[] {
  const problems: Problem[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const indentation = /^[ \t]*/.exec(line)?.[0] ?? "";
    const tab = indentation.indexOf("\t");
    if (tab < 0 || indentation.length === line.length) return;
    problems.push({
      file,
      line: index + 1,
      column: tab + 1,
      path: "",
      message: "YAML syntax: a tab in the indentation",
      hint: TAB_HINT,
    });
  });
  return problems;
}

/** Syntax errors, and aliases (*name) that refer to no anchor (&name). */
export function syntaxProblems(text: string, document: Document, lines: LineCounter, file: string): Problem[] {
  if (document.errors.length > 0) {
    const tabs = tabIndentProblems(text, file);
    const tabLines = new Set(tabs.map((problem) => problem.line));
    const others = document.errors
      .map((error) => toProblem(document, error, lines, file))
      .filter((problem) => !tabLines.has(problem.line));
    return [...tabs, ...others];
  }
  const problems: Problem[] = [];
  visit(document, {
    Alias(_key, alias) {
      if (!isAlias(alias) || alias.resolve(document) !== undefined) return;
      const position = lines.linePos(alias.range?.[0] ?? 0);
      problems.push({
        file,
        line: position.line,
        column: position.col,
        path: "",
        message: `YAML syntax: alias *${alias.source} refers to no anchor`,
        hint: `Define &${alias.source} on a value before this alias.`,
      });
    },
  });
  return problems;
}
