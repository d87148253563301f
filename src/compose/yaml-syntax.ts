// YAML syntax errors, each with its place and a hint in plain words: the YAML
// library's messages say what the parser saw, not what to type.
import { type Document, isAlias, type LineCounter, visit, type YAMLError } from "yaml";
import type { Problem } from "./problem.ts";

const HINTS: Record<string, string> = {
  TAB_AS_INDENT: "Indent with spaces; YAML does not allow tabs.",
  DUPLICATE_KEY: "Each key may appear once in a mapping; remove or rename one of them.",
  BAD_INDENT: "Check the indentation: entries of one mapping or list start in the same column.",
  MISSING_CHAR: "Close the quote or bracket that was opened.",
  BLOCK_AS_IMPLICIT_KEY:
    'Put a nested mapping on its own lines, indented under its key, or quote a value containing ": ".',
  MULTIPLE_DOCS: 'A composition is one YAML document; remove the "---" separator and what follows.',
  UNEXPECTED_TOKEN: "Check the punctuation here; quote a value that contains YAML punctuation such as : { } [ ] , # &.",
  MULTILINE_IMPLICIT_KEY: "A key must fit on one line; check for a missing colon on the line before.",
};

function toProblem(error: YAMLError, lines: LineCounter, file: string): Problem {
  const position = lines.linePos(error.pos[0]);
  // The library's message may carry a source excerpt after a newline; the place is given already.
  const message = (error.message.split("\n")[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, "");
  return {
    file,
    line: position.line,
    column: position.col,
    path: "",
    message: `YAML syntax: ${message.charAt(0).toLowerCase()}${message.slice(1)}`,
    hint: HINTS[error.code] ?? "Check the YAML syntax here.",
  };
}

/** Syntax errors, and aliases (*name) that refer to no anchor (&name). */
export function syntaxProblems(document: Document, lines: LineCounter, file: string): Problem[] {
  const problems = document.errors.map((error) => toProblem(error, lines, file));
  if (problems.length > 0) return problems;
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
