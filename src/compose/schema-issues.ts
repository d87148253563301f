// Turns the schema library's issues into findings a person can act on: what was
// expected, what was found, and a hint (a "did you mean", the keys allowed at
// that level, or the missing key's description).
import * as z from "zod";
import type { DataPath, Finding } from "./positions.ts";
import { didYouMean } from "./suggestion.ts";

type Issue = z.core.$ZodIssue;

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  while (
    current instanceof z.ZodOptional ||
    current instanceof z.ZodDefault ||
    current instanceof z.ZodPrefault ||
    current instanceof z.ZodNullable
  ) {
    current = current.unwrap() as z.ZodType;
  }
  return current;
}

/** The schema declared for the value at `path`, wrappers (optional, default) included. */
function schemaAt(root: z.ZodType, path: DataPath): z.ZodType | undefined {
  let current: z.ZodType | undefined = root;
  for (const segment of path) {
    if (current === undefined) return undefined;
    const inner = unwrap(current);
    if (inner instanceof z.ZodObject) current = (inner.shape as Record<string, z.ZodType>)[String(segment)];
    else if (inner instanceof z.ZodRecord) current = inner.valueType as z.ZodType;
    else if (inner instanceof z.ZodArray) current = inner.element as z.ZodType;
    else return undefined;
  }
  return current;
}

function descriptionOf(schema: z.ZodType | undefined): string | undefined {
  let current = schema;
  while (current !== undefined) {
    if (current.description !== undefined) return current.description;
    const inner = unwrap(current);
    if (inner === current) return undefined;
    current = inner;
  }
  return undefined;
}

function allowedKeys(root: z.ZodType, path: DataPath): string[] {
  const schema = schemaAt(root, path);
  const inner = schema === undefined ? undefined : unwrap(schema);
  return inner instanceof z.ZodObject ? Object.keys(inner.shape) : [];
}

/** How a found value reads in a message: strings quoted, containers by their kind. */
export function describeValue(value: unknown): string {
  if (value === undefined || value === null) return "nothing";
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return value.length === 0 ? "an empty list" : "a list";
  if (typeof value === "object") return "a mapping";
  return String(value);
}

function isInteger(schema: z.ZodType | undefined): boolean {
  const inner = schema === undefined ? undefined : unwrap(schema);
  return inner instanceof z.ZodNumber && (inner.format ?? "").includes("int");
}

function typeWord(expected: string, schema: z.ZodType | undefined): string {
  switch (expected) {
    case "number":
    case "int":
      return isInteger(schema) || expected === "int" ? "an integer" : "a number";
    case "string":
      return "a string";
    case "boolean":
      return "true or false";
    case "object":
    case "record":
      return "a mapping";
    case "array":
      return "a list";
    default:
      return expected;
  }
}

function bound(issue: Issue & { code: "too_small" | "too_big" }, schema: z.ZodType | undefined): string {
  const limit = issue.code === "too_small" ? issue.minimum : issue.maximum;
  const noun = issue.origin === "int" || isInteger(schema) ? "integer" : "number";
  if (issue.code === "too_small" && Number(limit) === 0 && issue.inclusive !== true) return `a positive ${noun}`;
  const sign = issue.code === "too_small" ? (issue.inclusive ? "≥" : ">") : issue.inclusive ? "≤" : "<";
  return `${noun === "integer" ? "an integer" : "a number"} ${sign} ${limit}`;
}

function sizeExpectation(issue: Issue & { code: "too_small" | "too_big" }): string {
  const limit = Number(issue.code === "too_small" ? issue.minimum : issue.maximum);
  const items = issue.origin === "string" ? "character" : "item";
  const plural = limit === 1 ? items : `${items}s`;
  return issue.code === "too_small" ? `at least ${limit} ${plural}` : `at most ${limit} ${plural}`;
}

function fromIssue(issue: Issue, root: z.ZodType): Finding[] {
  const path = issue.path as (string | number)[];
  const schema = schemaAt(root, path);
  const input = issue.input;
  switch (issue.code) {
    case "invalid_type": {
      const last = path.at(-1);
      if (input === undefined && last !== undefined) {
        const description = descriptionOf(schema);
        const finding: Finding = { path, at: "missing", message: `required key "${String(last)}" is missing` };
        if (description !== undefined) finding.hint = `Add "${String(last)}": ${description}`;
        return [finding];
      }
      const finding: Finding = {
        path,
        at: "value",
        message: `expected ${typeWord(issue.expected, schema)}, got ${describeValue(input)}`,
      };
      if (path.length === 0 && (input === null || input === undefined)) {
        finding.hint = "The file is empty; a composition needs at least version, name, components and coupling.";
      } else if (issue.expected === "string" && (typeof input === "number" || typeof input === "boolean")) {
        finding.hint = `Quote it: "${String(input)}".`;
      } else if (issue.expected === "array" && input !== null && typeof input !== "object") {
        finding.hint = `Write a list: [${String(input)}].`;
      }
      return [finding];
    }
    case "invalid_value": {
      const values = issue.values.map(String);
      const expected = values.length === 1 ? values[0] : `one of ${values.join(", ")}`;
      const finding: Finding = { path, at: "value", message: `expected ${expected}, got ${describeValue(input)}` };
      const guess = typeof input === "string" ? didYouMean(input, values) : undefined;
      const hint = guess ?? (values.length === 1 ? descriptionOf(schema) : undefined);
      if (hint !== undefined) finding.hint = hint;
      return [finding];
    }
    case "too_small":
    case "too_big": {
      const numeric = issue.origin === "number" || issue.origin === "int" || issue.origin === "bigint";
      const expected = numeric ? bound(issue, schema) : sizeExpectation(issue);
      const found = Array.isArray(input) ? `${input.length}` : describeValue(input);
      return [{ path, at: "value", message: `expected ${expected}, got ${found}` }];
    }
    case "invalid_format":
      return [{ path, at: "value", message: `expected ${issue.message}, got ${describeValue(input)}` }];
    case "unrecognized_keys": {
      const allowed = allowedKeys(root, path);
      return issue.keys.map((key) => ({
        path: [...path, key],
        at: "key" as const,
        message: `unknown key "${key}"`,
        hint: didYouMean(key, allowed) ?? `The keys allowed here are ${allowed.join(", ")}.`,
      }));
    }
    case "invalid_key": {
      const reasons = issue.issues.map((inner) => inner.message).join("; ");
      return [{ path, at: "key", message: `"${String(path.at(-1))}" is not valid here: expected ${reasons}` }];
    }
    default:
      return [{ path, at: "value", message: issue.message }];
  }
}

export function findingsFromIssues(issues: readonly Issue[], root: z.ZodType): Finding[] {
  return issues.flatMap((issue) => fromIssue(issue, root));
}
