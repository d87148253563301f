import assert from "node:assert/strict";
import { test } from "node:test";
import { problemsOf, VALID } from "./compositions.ts";

test("an unclosed bracket is a syntax error with its place and a hint", () => {
  const text = VALID.replace("order: [appA, appB]", "order: [appA, appB\nresults: {}");
  const problems = problemsOf(text);
  assert.equal(problems.length, 1);
  assert.match(problems[0] ?? "", /^conflux\.yaml:23:1: YAML syntax: .*\. Check the indentation/);
});

test("a tab used as indentation is named as such", () => {
  const text = VALID.replace("  iterations: 5", "\titerations: 5");
  assert.deepEqual(problemsOf(text), [
    "conflux.yaml:21:1: YAML syntax: a tab in the indentation. Indent with spaces; YAML does not allow tabs.",
  ]);
});

test("a key given twice names the key", () => {
  const text = VALID.replace("radius: 0.3", "radius: 0.3, radius: 0.4");
  assert.deepEqual(problemsOf(text), [
    'conflux.yaml:19:67: YAML syntax: key "radius" appears twice in the same mapping. Each key may appear once in a mapping; remove or rename one of them.',
  ]);
});

test("an alias without its anchor is reported at the alias", () => {
  const text = VALID.replace("enclave: { kind: thread }", "enclave: *isolated");
  assert.deepEqual(problemsOf(text), [
    "conflux.yaml:10:14: YAML syntax: alias *isolated refers to no anchor. Define &isolated on a value before this alias.",
  ]);
});

test("anchors and aliases are followed, and problems inside point at the anchor", () => {
  const shared = VALID.replace("enclave: { kind: process }", "enclave: &isolated { kind: process }").replace(
    "enclave: { kind: thread }",
    "enclave: *isolated",
  );
  assert.deepEqual(problemsOf(shared), []);
  assert.deepEqual(problemsOf(shared.replace("kind: process", "kind: prcess")), [
    'conflux.yaml:5:32: components.appA.enclave.kind: expected one of thread, process, container, vm, got "prcess". Did you mean "process"?',
    'conflux.yaml:5:32: components.appB.enclave.kind: expected one of thread, process, container, vm, got "prcess". Did you mean "process"?',
  ]);
});

test("two documents in one file are refused", () => {
  const problems = problemsOf(`${VALID}---\nversion: 1\n`);
  assert.equal(problems.length, 1);
  assert.match(problems[0] ?? "", /^conflux\.yaml:23:1: YAML syntax: .*A composition is one YAML document/);
});
