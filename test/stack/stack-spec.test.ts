import assert from "node:assert/strict";
import { test } from "node:test";
import { parseStackSpec, StackSpecError } from "../../src/stack/stack-spec.ts";

test("stack spec: defaults, and files made absolute from the spec's directory", () => {
  const spec = parseStackSpec(
    "name: numpy1\nrelease: bookworm\npackages: [python3-numpy]\nfiles:\n  - { from: app/run.py, to: /opt/app/run.py }\n",
    "/specs/numpy1.yaml",
  );
  assert.deepEqual(spec, {
    version: 1,
    name: "numpy1",
    release: "bookworm",
    packages: ["python3-numpy"],
    files: [{ from: "/specs/app/run.py", to: "/opt/app/run.py" }],
  });
});

test("stack spec: every mistake is named by its field", () => {
  const text =
    "name: 1bad\nrelease: Bookworm\npackages: [python3-numpy=1.24]\nfiles:\n  - { from: a, to: relative/path }\ncolour: blue\n";
  assert.throws(
    () => parseStackSpec(text, "/specs/bad.yaml"),
    (error: Error) => {
      assert.ok(error instanceof StackSpecError);
      for (const field of ["name", "release", "packages.0", "files.0.to"]) {
        assert.match(error.message, new RegExp(`^/specs/bad\\.yaml: ${field.replace(".", "\\.")}: `, "m"), field);
      }
      assert.match(error.message, /colour/);
      return true;
    },
  );
});

test("stack spec: a path out of the stack is refused", () => {
  assert.throws(
    () => parseStackSpec("name: a\nrelease: bookworm\nfiles: [{ from: x, to: /opt/../../etc/passwd }]\n", "/s.yaml"),
    /files\.0\.to: a path without \.\. in it/,
  );
});
