import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { compositionJsonSchema } from "../../src/compose/index.ts";

interface SchemaNode {
  type?: string;
  description?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: boolean | SchemaNode;
  enum?: unknown[];
}

test("the JSON Schema is JSON and describes the top-level keys", () => {
  const schema = JSON.parse(JSON.stringify(compositionJsonSchema())) as SchemaNode & { $schema: string; title: string };
  assert.equal(schema.$schema, "https://json-schema.org/draft/2020-12/schema");
  assert.equal(schema.type, "object");
  assert.deepEqual(Object.keys(schema.properties ?? {}), [
    "version",
    "name",
    "description",
    "placement",
    "components",
    "transfers",
    "asynchronous",
    "coupling",
    "results",
  ]);
  // Keys with defaults stay optional for whoever writes the file.
  assert.deepEqual(schema.required, ["version", "name", "components", "coupling"]);
  assert.equal(schema.additionalProperties, false);
  for (const [key, property] of Object.entries(schema.properties ?? {})) {
    assert.ok(property.description, `${key} has a description for editors`);
  }
});

test("enumerations reach the editor", () => {
  const schema = compositionJsonSchema() as SchemaNode;
  const component = schema.properties?.components?.additionalProperties as SchemaNode;
  assert.deepEqual(component.properties?.enclave?.properties?.kind?.enum, ["thread", "process", "container", "vm"]);
});

test("the schema in docs/ is the one the code generates (regenerate with `conflux schema --out`)", () => {
  const committed = JSON.parse(readFileSync(new URL("../../docs/composition.schema.json", import.meta.url), "utf8"));
  assert.deepEqual(committed, JSON.parse(JSON.stringify(compositionJsonSchema())));
});

function keysOf(node: SchemaNode | undefined, found = new Set<string>()): Set<string> {
  if (node === undefined) return found;
  for (const [key, property] of Object.entries(node.properties ?? {})) {
    found.add(key);
    keysOf(property, found);
  }
  if (typeof node.additionalProperties === "object") keysOf(node.additionalProperties, found);
  keysOf((node as { items?: SchemaNode }).items, found);
  return found;
}

test("docs/composition.md documents every key", () => {
  const documentation = readFileSync(new URL("../../docs/composition.md", import.meta.url), "utf8");
  // A key is documented when a table row starts with it, alone or after its parent (`wait.spin_us`).
  const rows = new Set([...documentation.matchAll(/^\| `(?:[a-z_]+\.)?([a-z_]+)` +\|/gm)].map((match) => match[1]));
  const undocumented = [...keysOf(compositionJsonSchema() as SchemaNode)].filter((key) => !rows.has(key));
  assert.deepEqual(undocumented, []);
});
