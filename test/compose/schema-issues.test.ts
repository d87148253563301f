import assert from "node:assert/strict";
import { test } from "node:test";
import { problemsOf, VALID } from "./compositions.ts";

test("the shared valid composition has no problems", () => {
  assert.deepEqual(problemsOf(VALID), []);
});

test("a wrong enum value names the allowed values and the closest one", () => {
  const text = VALID.replace("enclave: { kind: process }", "enclave:\n      kind: proces");
  assert.deepEqual(problemsOf(text), [
    'conflux.yaml:6:13: components.appA.enclave.kind: expected one of thread, process, container, vm, got "proces". Did you mean "process"?',
  ]);
});

test("an unknown key points at the key and suggests the allowed key it resembles", () => {
  const text = VALID.replace("    module: ./app-b.ts", "    modul: ./app-b.ts");
  assert.deepEqual(problemsOf(text), [
    'conflux.yaml:11:5: components.appB.modul: unknown key "modul". Did you mean "module"?',
  ]);
});

test("an unknown key unlike any allowed one lists the allowed keys", () => {
  const text = VALID.replace("  iterations: 5\n", "  iterations: 5\n  colour: blue\n");
  assert.deepEqual(problemsOf(text), [
    'conflux.yaml:22:3: coupling.colour: unknown key "colour". The keys allowed here are scheme, iterations, order, window, max_time, windows, max_substeps, min_iterations, max_iterations, on_max_iterations, convergence, acceleration, timeouts, wait, threads, check_finite.',
  ]);
});

test("a missing required key points at the mapping that lacks it and quotes the key's description", () => {
  const text = VALID.replace("  order: [appA, appB]\n", "");
  assert.deepEqual(problemsOf(text), [
    'conflux.yaml:20:1: coupling.order: required key "order" is missing. Add "order": Every component, once each, in the order they step within an iteration; a component that only reads snapshots (asynchronous) may be left out, and then runs free.',
  ]);
});

test("a missing key in a list item points at the item", () => {
  const text = VALID.replace("    to: appB.surface.temperature\n", "");
  assert.deepEqual(problemsOf(text), [
    'conflux.yaml:15:5: transfers[0].to: required key "to" is missing. Add "to": The target field, component.mesh.field, on another component.',
  ]);
});

test("a value of the wrong type says what was expected and what was found", () => {
  const text = VALID.replace("iterations: 5", "iterations: five");
  assert.deepEqual(problemsOf(text), ['conflux.yaml:21:15: coupling.iterations: expected an integer, got "five".']);
});

test("numbers out of range say the bound", () => {
  const text = VALID.replace("points: 100", "points: 0").replace("radius: 0.3", "radius: -1");
  assert.deepEqual(problemsOf(text), [
    "conflux.yaml:8:40: components.appA.meshes.surface.points: expected a positive integer, got 0.",
    "conflux.yaml:19:62: transfers[1].operator.radius: expected a positive number, got -1.",
  ]);
});

test("a number where a string belongs is explained with the quoted form", () => {
  const text = VALID.replace(
    "    module: ./app-a.ts\n",
    '    module: ./app-a.ts\n    env: { OMP_NUM_THREADS: 1, PATH_EXTRA: "x" }\n',
  );
  assert.deepEqual(problemsOf(text), [
    'conflux.yaml:7:29: components.appA.env.OMP_NUM_THREADS: expected a string, got 1. Quote it: "1".',
  ]);
});

test("a scalar where a list belongs is explained with the list form", () => {
  const text = VALID.replace("fields: [temperature, flux] }\n  appB", "fields: temperature }\n  appB");
  assert.deepEqual(problemsOf(text), [
    'conflux.yaml:8:53: components.appA.meshes.surface.fields: expected a list, got "temperature". Write a list: [temperature].',
  ]);
});

test("an invalid name is reported at the name", () => {
  const text = VALID.replace("  appB:\n", "  app B:\n").replace("order: [appA, appB]", "order: [appA]");
  assert.deepEqual(problemsOf(text), [
    'conflux.yaml:9:3: components["app B"]: "app B" is not valid here: expected a component name (a letter, then up to 31 letters, digits, "-" or "_").',
  ]);
});

test("an unsupported format version says which one this code reads", () => {
  assert.deepEqual(problemsOf(VALID.replace("version: 1", "version: 2")), [
    "conflux.yaml:1:10: version: expected 1, got 2. Composition format version; this Conflux reads version 1.",
  ]);
});

test("an empty file says what a composition needs", () => {
  assert.deepEqual(problemsOf(""), [
    "conflux.yaml:1:1: expected a mapping, got nothing. The file is empty; a composition needs at least version, name, components and coupling.",
  ]);
});

test("every structural problem is reported at once, in file order", () => {
  const text = VALID.replace("version: 1", "version: 1\nnmae: x")
    .replace("kind: process", "kind: vmm")
    .replace("dimension: 3, points: 120", "dimension: 4, points: 120")
    .replace("method: rbf-pu", "method: rbf_pu")
    .replace("iterations: 5", "iterations: 2.5");
  assert.deepEqual(problemsOf(text), [
    'conflux.yaml:2:1: nmae: unknown key "nmae". Did you mean "name"?',
    'conflux.yaml:6:22: components.appA.enclave.kind: expected one of thread, process, container, vm, got "vmm". Did you mean "vm"?',
    "conflux.yaml:14:29: components.appB.meshes.surface.dimension: expected one of 1, 2, 3, got 4.",
    'conflux.yaml:20:25: transfers[1].operator.method: expected one of nearest, mls, rbf, rbf-pu, got "rbf_pu". Did you mean "rbf-pu"?',
    "conflux.yaml:22:15: coupling.iterations: expected an integer, got 2.5.",
  ]);
});
