import assert from "node:assert/strict";
import { test } from "node:test";
import { problemsOf, VALID } from "./compositions.ts";

test("a transfer endpoint naming a missing component lists the components", () => {
  const text = VALID.replace("to: appB.surface.temperature", "to: appC.surface.temperature");
  assert.deepEqual(problemsOf(text), [
    'conflux.yaml:16:9: transfers[0].to: component "appC" does not exist. Components are appA, appB.',
  ]);
});

test("a transfer endpoint naming a missing mesh or field suggests the closest one", () => {
  const text = VALID.replace("from: appA.surface.temperature", "from: appA.surfce.temperature").replace(
    "from: appB.surface.flux",
    "from: appB.surface.flx",
  );
  assert.deepEqual(problemsOf(text), [
    'conflux.yaml:15:11: transfers[0].from: component "appA" has no mesh "surfce". Did you mean "surface"? Its meshes are surface.',
    'conflux.yaml:17:11: transfers[1].from: mesh "appB.surface" has no field "flx". Did you mean "flux"? Its fields are temperature, flux.',
  ]);
});

test("meshes of different dimensions cannot be coupled", () => {
  const text = VALID.replace("dimension: 3, points: 120", "dimension: 2, points: 120");
  assert.deepEqual(problemsOf(text), [
    'conflux.yaml:16:9: transfers[0].to: mesh "appB.surface" is 2-D but "appA.surface" is 3-D. A transfer maps between meshes of the same dimension.',
    'conflux.yaml:18:9: transfers[1].to: mesh "appA.surface" is 3-D but "appB.surface" is 2-D. A transfer maps between meshes of the same dimension.',
  ]);
});

test("a transfer within one component is refused", () => {
  const text = VALID.replace("to: appB.surface.temperature", "to: appA.surface.temperature");
  assert.deepEqual(problemsOf(text), [
    'conflux.yaml:16:9: transfers[0].to: a transfer goes between two different components; both ends are in "appA". Point to at a field of another component.',
  ]);
});

test("two transfers into the same field are refused", () => {
  const text = VALID.replace(
    "from: appB.surface.flux\n    to: appA.surface.flux",
    "from: appA.surface.flux\n    to: appB.surface.temperature",
  );
  assert.deepEqual(problemsOf(text), [
    'conflux.yaml:18:9: transfers[1].to: "appB.surface.temperature" is already the target of transfers[0]. A field receives data from one transfer only.',
  ]);
});

test("transfers need two components", () => {
  const text = `version: 1
name: alone
components:
  appA:
    module: ./a.ts
    meshes: { m: { dimension: 1, points: 4, fields: [u, v] } }
transfers:
  - { from: appA.m.u, to: appA.m.v }
coupling: { iterations: 1, order: [appA] }
`;
  assert.deepEqual(problemsOf(text), [
    "conflux.yaml:7:1: transfers: transfers need at least two components; there is 1. Add the component the data goes to, or remove the transfers.",
    'conflux.yaml:8:27: transfers[0].to: a transfer goes between two different components; both ends are in "appA". Point to at a field of another component.',
  ]);
});

test("the coupling order lists every component exactly once", () => {
  assert.deepEqual(problemsOf(VALID.replace("order: [appA, appB]", "order: [appA]")), [
    "conflux.yaml:22:10: coupling.order: the order must list every component once; it lacks appB. Components are appA, appB.",
  ]);
  assert.deepEqual(problemsOf(VALID.replace("order: [appA, appB]", "order: [appA, appB, appA]")), [
    'conflux.yaml:22:23: coupling.order[2]: component "appA" is listed twice.',
  ]);
  assert.deepEqual(problemsOf(VALID.replace("order: [appA, appB]", "order: [appA, appb]")), [
    "conflux.yaml:22:10: coupling.order: the order must list every component once; it lacks appB. Components are appA, appB.",
    'conflux.yaml:22:17: coupling.order[1]: component "appb" does not exist. Did you mean "appB"? Components are appA, appB.',
  ]);
});

test("enclave options are accepted only for their own kind", () => {
  const text = VALID.replace(
    "enclave: { kind: process }",
    "enclave: { kind: process, container: { runtime: crun } }",
  ).replace("enclave: { kind: thread }", "enclave: { kind: thread, vm: { memory_mib: 512 } }");
  assert.deepEqual(problemsOf(text), [
    "conflux.yaml:5:31: components.appA.enclave.container: container options apply only to kind container; this enclave is kind process. Set kind: container, or remove the container block.",
    "conflux.yaml:10:30: components.appB.enclave.vm: vm options apply only to kind vm; this enclave is kind thread. Set kind: vm, or remove the vm block.",
  ]);
});

test("validate refuses what the enclaves would refuse at launch: a command in a thread, a VM too small or too wide", () => {
  const threadCommand = VALID.replace("    module: ./app-b.ts\n", "    command: [./app-b]\n");
  assert.deepEqual(problemsOf(threadCommand), [
    "conflux.yaml:11:5: components.appB.command: a thread enclave runs a module in a worker thread and cannot run a command. Use kind: process for an executable, or give a module.",
  ]);
  const vm = VALID.replace("enclave: { kind: process }", "enclave: { kind: vm, vm: { memory_mib: 32, cpus: 65 } }");
  assert.deepEqual(problemsOf(vm), [
    "conflux.yaml:5:44: components.appA.enclave.vm.memory_mib: expected an integer ≥ 64, got 32.",
    "conflux.yaml:5:54: components.appA.enclave.vm.cpus: expected an integer ≤ 64, got 65.",
  ]);
});

test("a component has exactly one of module and command", () => {
  const text = VALID.replace("    module: ./app-a.ts\n", "").replace(
    "module: ./app-b.ts",
    "module: ./app-b.ts\n    command: [./app-b]",
  );
  assert.deepEqual(problemsOf(text), [
    'conflux.yaml:4:3: components.appA: component "appA" has neither module nor command. Give exactly one: module: ./app.ts (run with the SDK) or command: [./app, --flag] (an executable).',
    'conflux.yaml:11:5: components.appB.command: component "appB" has both module and command. Keep exactly one of them.',
  ]);
});

test("operator options must suit the method", () => {
  const wrongOption = VALID.replace(
    "method: rbf-pu, kernel: wendland-c2",
    "method: mls, kernel: wendland-c2, basis: linear",
  );
  assert.deepEqual(problemsOf(wrongOption), [
    "conflux.yaml:19:30: transfers[1].operator.kernel: kernel does not apply to method mls (it takes radius, k, basis); remove it. Or set method to rbf or rbf-pu.",
  ]);
  const wrongBasis = VALID.replace("kernel: wendland-c2", "basis: quadratic");
  assert.deepEqual(problemsOf(wrongBasis), [
    "conflux.yaml:19:33: transfers[1].operator.basis: basis does not apply to method rbf-pu (it takes radius, kernel, points_per_patch, patch_overlap); remove it. Or set method to mls.",
  ]);
  const badValues = VALID.replace("wendland-c2, radius: 0.3", "wendland-c3, radius: 0, k: 0");
  assert.deepEqual(problemsOf(badValues), [
    'conflux.yaml:19:41: transfers[1].operator.kernel: expected one of wendland-c0, wendland-c2, wendland-c4, wendland-c6, gaussian, tps, got "wendland-c3".',
    "conflux.yaml:19:62: transfers[1].operator.radius: expected a positive number, got 0.",
    "conflux.yaml:19:68: transfers[1].operator.k: expected an integer ≥ 1, got 0.",
  ]);
});

test("validate makes the run's operator checks, at the transfer's place: rbf-pu without its radius", () => {
  const noRadius = VALID.replace("method: rbf-pu, kernel: wendland-c2, radius: 0.3", "method: rbf-pu");
  assert.deepEqual(problemsOf(noRadius), [
    "conflux.yaml:19:5: transfers[1].operator.radius: rbf-pu with kernel wendland-c2 needs radius (its support radius in mesh units, e.g. a few mesh spacings).",
  ]);
  const nearestRadius = VALID.replace("method: rbf-pu, kernel: wendland-c2, radius: 0.3", "method: nearest, radius: 1");
  assert.deepEqual(problemsOf(nearestRadius), [
    "conflux.yaml:19:34: transfers[1].operator.radius: radius does not apply to method nearest; remove it. Or set method to mls or rbf or rbf-pu.",
  ]);
  const both = VALID.replace("method: rbf-pu, kernel: wendland-c2, radius: 0.3", "method: mls, radius: 1, k: 4");
  assert.deepEqual(problemsOf(both), [
    "conflux.yaml:19:41: transfers[1].operator.k: mls takes either radius or k nearest neighbours, not both; remove one.",
  ]);
});

test("the operator takes conflux map's options, in snake_case: points_per_patch, patch_overlap", () => {
  const patches = VALID.replace("radius: 0.3", "radius: 0.3, points_per_patch: 40, patch_overlap: 0.2");
  assert.deepEqual(problemsOf(patches), []);
  const camel = VALID.replace("radius: 0.3", "radius: 0.3, pointsPerPatch: 40");
  assert.match(
    problemsOf(camel)[0] ?? "",
    /transfers\[1\]\.operator\.pointsPerPatch: unknown key "pointsPerPatch". Did you mean "points_per_patch"\?/,
  );
  const badOverlap = VALID.replace("radius: 0.3", "radius: 0.3, patch_overlap: 1");
  assert.match(
    problemsOf(badOverlap)[0] ?? "",
    /transfers\[1\]\.operator\.patch_overlap: expected a number < 1, got 1/,
  );
});

test("outputs name existing fields and a tolerance of one kind", () => {
  const text = `${VALID}results:
  outputs:
    - { field: appB.surface.temperature, tolerance: { relative: 1e-12, absolute: 1e-9 } }
    - { field: appB.surface.pressure }
`;
  assert.deepEqual(problemsOf(text), [
    "conflux.yaml:25:53: results.outputs[0].tolerance: a tolerance has exactly one of absolute, relative or ulps; this one has 2. Remove the tolerance for a bitwise comparison.",
    'conflux.yaml:26:16: results.outputs[1].field: mesh "appB.surface" has no field "pressure". Its fields are temperature, flux.',
  ]);
});

test("every cross-reference problem is reported at once", () => {
  const text = VALID.replace("enclave: { kind: process }", "enclave: { kind: process, vm: {} }")
    .replace("to: appB.surface.temperature", "to: appB.surface.temp")
    .replace("order: [appA, appB]", "order: [appB]");
  assert.equal(problemsOf(text).length, 3);
});
