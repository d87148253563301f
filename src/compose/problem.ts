// What is wrong with a composition file, said where it is and how to fix it.

/** One problem in a composition file. Lines and columns count from 1; 0 means "the file as a whole". */
export interface Problem {
  file: string;
  line: number;
  column: number;
  /** Where in the document, e.g. `components.appA.enclave.kind` or `transfers[0].to`; "" for the document itself. */
  path: string;
  /** What is wrong: what was expected and what was found. */
  message: string;
  /** How to fix it, when there is something better to say than the message. */
  hint?: string;
}

/** `conflux.yaml:12:7: components.appA.enclave.kind: expected …, got "proces". Did you mean "process"?` */
export function formatProblem(problem: Problem): string {
  const place = problem.line > 0 ? `${problem.file}:${problem.line}:${problem.column}` : problem.file;
  const where = problem.path === "" ? "" : `${problem.path}: `;
  const sentence = /[.?!]$/.test(problem.message) ? problem.message : `${problem.message}.`;
  return `${place}: ${where}${sentence}${problem.hint === undefined ? "" : ` ${problem.hint}`}`;
}

/** Thrown for an unreadable or invalid composition file; carries every problem found, not just the first. */
export class CompositionError extends Error {
  override name = "CompositionError";
  readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[]) {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    super(`${problems.map(formatProblem).join("\n")}\n${count} in ${problems[0]?.file ?? "the composition"}`);
    this.problems = problems;
  }
}
