import assert from "node:assert/strict";
import { test } from "node:test";
import { MappingError } from "../../../src/mapping/mapping-error.ts";
import { parseTransferSpec } from "../../../src/mapping/operators/transfer-spec.ts";

function problems(input: unknown): string {
  try {
    parseTransferSpec(input);
  } catch (error) {
    assert.ok(error instanceof MappingError);
    return error.message;
  }
  assert.fail("expected the spec to be refused");
}

test("valid specs pass through unchanged", () => {
  for (const spec of [
    { method: "nearest" },
    { method: "nearest", conservative: true },
    { method: "mls", basis: "quadratic", k: 25 },
    { method: "mls", radius: 0.2 },
    { method: "rbf", kernel: "tps" },
    { method: "rbf", kernel: "gaussian", radius: 0.1 },
    { method: "rbf-pu", radius: 0.3, pointsPerPatch: 40, patchOverlap: 0.2 },
  ]) {
    assert.deepEqual(parseTransferSpec(spec), spec);
  }
});

test("every problem names the field and the fix", () => {
  assert.match(problems({ method: "linear" }), /transfer\.method: method must be one of nearest, mls, rbf, rbf-pu/);
  assert.match(
    problems({ method: "nearest", radius: 1 }),
    /transfer\.radius: radius does not apply to method nearest; remove it/,
  );
  assert.match(
    problems({ method: "mls", kernel: "tps" }),
    /transfer\.kernel: kernel does not apply to method mls \(it takes radius, k, basis\)/,
  );
  assert.match(
    problems({ method: "mls", radius: 1, k: 4 }),
    /transfer\.k: mls takes either radius or k nearest neighbours, not both/,
  );
  assert.match(
    problems({ method: "rbf" }),
    /transfer\.radius: rbf with kernel wendland-c2 needs radius \(its support radius/,
  );
  assert.match(problems({ method: "rbf-pu", kernel: "gaussian" }), /needs radius \(its length scale/);
  assert.match(
    problems({ method: "rbf", kernel: "spline", radius: 1 }),
    /transfer\.kernel: kernel must be one of wendland-c0, wendland-c2, wendland-c4, wendland-c6, gaussian, tps/,
  );
  assert.match(problems({ method: "mls", k: 2.5 }), /transfer\.k: k must be a whole number/);
  assert.match(problems({ method: "mls", radius: -1 }), /transfer\.radius: radius must be > 0/);
  assert.match(
    problems({ method: "rbf-pu", radius: 1, patchOverlap: 1 }),
    /transfer\.patchOverlap: patchOverlap must be < 1/,
  );
  assert.match(
    problems({ method: "nearest", colour: "red" }),
    /transfer: unknown option colour; the options are method, radius/,
  );
  assert.match(
    problems({ method: "nearest", conservative: "yes" }),
    /transfer\.conservative: conservative must be true or false/,
  );
  assert.match(problems("nearest"), /^transfer: /);
});

test("the place of a problem can be named the caller's way", () => {
  assert.throws(
    () => parseTransferSpec({ method: "mls", radius: 0 }, (field) => `--${field}`),
    /^MappingError: --radius: radius must be > 0$/,
  );
});
