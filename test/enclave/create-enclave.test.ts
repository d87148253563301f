import assert from "node:assert/strict";
import { test } from "node:test";
import { createEnclave } from "../../src/enclave/create-enclave.ts";
import type { EnclaveKind } from "../../src/enclave/kind.ts";
import { fixture } from "./contract.ts";

const launch = { name: "solver", module: fixture("endless"), runDirectory: "/run" };

test("an unknown kind names the valid ones", () => {
  assert.throws(
    () => createEnclave("jail" as EnclaveKind, launch),
    /unknown enclave kind "jail"; the kinds are thread, process, container, vm/,
  );
});

test("a launch no backend could run is refused before anything starts, naming the field", () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ name: "" }, /needs a non-empty name/],
    [{ module: undefined }, /give exactly one of module .* and command/],
    [{ command: ["sh"] }, /give exactly one of module .* and command/],
    [{ module: "relative/solver.ts" }, /module must be an absolute path, got "relative\/solver.ts"/],
    [{ module: undefined, command: [] }, /command must be a non-empty list/],
    [{ runDirectory: "" }, /runDirectory is required/],
    [{ cpus: [] }, /cpus must list at least one CPU/],
    [{ cpus: [0, -2] }, /cpus holds -2, which is not a CPU number/],
    [{ args: { size: 10n } }, /args cannot be written as JSON/],
  ];
  for (const kind of ["thread", "process"] as const) {
    for (const [change, message] of cases) {
      assert.throws(
        () => createEnclave(kind, { ...launch, ...change } as typeof launch),
        message,
        `${kind} ${JSON.stringify(change, (_, value) => (typeof value === "bigint" ? String(value) : value))}`,
      );
    }
  }
});
