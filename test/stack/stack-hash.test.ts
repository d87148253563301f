import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { stackIdentity } from "../../src/stack/stack-hash.ts";
import type { StackSpec } from "../../src/stack/stack-spec.ts";

function spec(overrides: Partial<StackSpec> = {}): StackSpec {
  return { version: 1, name: "numpy1", release: "bookworm", packages: ["python3-numpy"], files: [], ...overrides };
}

test("stack hash: the name and the order of packages do not count; release and packages do", () => {
  const reference = stackIdentity(spec({ packages: ["python3-numpy", "python3-scipy"] }));
  assert.equal(
    stackIdentity(spec({ name: "other", packages: ["python3-scipy", "python3-numpy", "python3-numpy"] })).hash,
    reference.hash,
  );
  assert.notEqual(
    stackIdentity(spec({ release: "trixie", packages: ["python3-numpy", "python3-scipy"] })).hash,
    reference.hash,
  );
  assert.notEqual(stackIdentity(spec({ packages: ["python3-numpy"] })).hash, reference.hash);
  assert.match(reference.hash, /^[0-9a-f]{64}$/);
});

test("stack hash: a copied file's contents and mode change the stack's hash, not its base's", (t) => {
  const directory = mkdtempSync(join(tmpdir(), "conflux-stack-hash-"));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  const file = join(directory, "run.py");
  writeFileSync(file, "print(1)\n");
  chmodSync(file, 0o644);
  const withFile = (mode?: string) =>
    stackIdentity(spec({ files: [{ from: file, to: "/opt/run.py", ...(mode ? { mode } : {}) }] }));
  const first = withFile();
  assert.equal(first.files[0]?.mode, 0o644);
  assert.equal(first.base, stackIdentity(spec()).base);
  assert.notEqual(first.hash, stackIdentity(spec()).hash);
  assert.notEqual(withFile("0755").hash, first.hash);
  writeFileSync(file, "print(2)\n");
  const edited = withFile();
  assert.notEqual(edited.hash, first.hash);
  assert.equal(edited.base, first.base);
  rmSync(file);
  assert.throws(() => withFile(), /files\.0\.from: .*run\.py cannot be read \(ENOENT\)/);
});
