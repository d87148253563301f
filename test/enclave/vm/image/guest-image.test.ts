// Images are named by their content: the same files give the same image, from
// the cache; a changed byte gives another.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { GuestFileSet } from "../../../../src/enclave/vm/image/guest-files.ts";
import { guestImage } from "../../../../src/enclave/vm/image/guest-image.ts";

test("an image is built once per content and found again by its hash", (t) => {
  const directory = mkdtempSync(join(tmpdir(), "conflux-image-"));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  const cache = join(directory, "cache");
  const kernel = { path: join(directory, "vmlinuz-test"), release: "test" };
  writeFileSync(kernel.path, "not really a kernel");
  const program = join(directory, "program");
  writeFileSync(program, "version 1", { mode: 0o755 });
  const files = () => {
    const set = new GuestFileSet();
    set.file("/conflux/program", program);
    return set;
  };
  const first = guestImage(files(), kernel, cache);
  assert.equal(first.built, true);
  assert.match(first.sha256, /^[0-9a-f]{64}$/);
  const again = guestImage(files(), kernel, cache);
  assert.deepEqual({ ...again, built: true }, first);
  assert.equal(again.built, false, "the second time it comes from the cache");
  writeFileSync(program, "version 2", { mode: 0o755 });
  const changed = guestImage(files(), kernel, cache);
  assert.notEqual(changed.sha256, first.sha256);
  writeFileSync(kernel.path, "another kernel");
  assert.notEqual(guestImage(files(), kernel, cache).sha256, changed.sha256, "the kernel is part of the image");
});

test("a host path keeps the symbolic links on its way, so the guest resolves it as the host does", (t) => {
  // A tree of our own, so the test does not depend on whether this host's /bin is a link:
  // root/lib -> usr/lib (relative, as Debian's), root/usr/lib/tool -> <root>/opt/tool (absolute).
  const root = mkdtempSync(join(tmpdir(), "conflux-links-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, "usr/lib"), { recursive: true });
  mkdirSync(join(root, "opt"));
  writeFileSync(join(root, "opt/tool"), "#!/bin/sh\n", { mode: 0o755 });
  symlinkSync("usr/lib", join(root, "lib"));
  symlinkSync(join(root, "opt/tool"), join(root, "usr/lib/tool"));

  const set = new GuestFileSet();
  set.hostPath(join(root, "lib/tool"));
  const entries = new Map(set.list().map((entry) => [entry.path, entry]));
  assert.deepEqual(entries.get(join(root, "lib")), { path: join(root, "lib"), type: "symlink", target: "usr/lib" });
  assert.equal(entries.get(join(root, "usr/lib"))?.type, "directory", "the relative link's target comes along");
  assert.deepEqual(entries.get(join(root, "usr/lib/tool")), {
    path: join(root, "usr/lib/tool"),
    type: "symlink",
    target: join(root, "opt/tool"),
  });
  const tool = entries.get(join(root, "opt/tool"));
  assert.equal(tool?.type, "file", "the file the links lead to is there");
  assert.equal(tool?.type === "file" ? tool.source : undefined, join(root, "opt/tool"));
  assert.equal(tool?.type === "file" ? tool.mode : undefined, 0o755);
});
