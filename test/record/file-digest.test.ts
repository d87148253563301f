import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { hashFile } from "../../src/record/file-digest.ts";

test("a file is hashed again when it changes, and a missing one says why", (t) => {
  const directory = mkdtempSync(join(tmpdir(), "conflux-digest-"));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  const file = join(directory, "data");
  const digest = (text: string) => createHash("sha256").update(text).digest("hex");
  writeFileSync(file, "first");
  assert.deepEqual(hashFile(file), { path: file, sha256: digest("first"), bytes: 5 });
  writeFileSync(file, "second version");
  assert.deepEqual(hashFile(file), { path: file, sha256: digest("second version"), bytes: 14 });
  assert.deepEqual(hashFile(join(directory, "absent")), { path: join(directory, "absent"), error: "no such file" });
  assert.deepEqual(hashFile(directory), { path: directory, error: "not a regular file" });
  assert.equal(hashFile("/recorded/name", file).path, "/recorded/name", "read from one place, recorded under another");
});
