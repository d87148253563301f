import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { DEFAULT_MIRROR, debianMirror, MIRROR_VARIABLE } from "../../src/stack/debian-mirror.ts";

function aptDirectory(t: import("node:test").TestContext, files: Record<string, string>): string {
  const directory = mkdtempSync(join(tmpdir(), "conflux-apt-"));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  mkdirSync(join(directory, "sources.list.d"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(directory, name), text);
  return directory;
}

test("debian mirror: the archive of a deb822 .sources file, not its security suite", (t) => {
  delete process.env[MIRROR_VARIABLE];
  const directory = aptDirectory(t, {
    "sources.list.d/debian.sources":
      "Types: deb\nURIs: http://security.example.org/debian-security\nSuites: bookworm-security\n\nTypes: deb deb-src\nURIs: http://mirror.example.org/debian/\nSuites: bookworm bookworm-updates\nComponents: main\n",
    "sources.list.d/other.sources": "Types: deb\nURIs: https://packages.example.com/apt\nSuites: stable\n",
  });
  assert.equal(debianMirror(directory), "http://mirror.example.org/debian");
});

test("debian mirror: one-line sources.list, then the default, and the variable first of all", (t) => {
  const oneLine = aptDirectory(t, {
    "sources.list": "# comment\ndeb [arch=amd64] http://ftp.example.net/debian bookworm main\n",
  });
  assert.equal(debianMirror(oneLine), "http://ftp.example.net/debian");
  assert.equal(debianMirror(aptDirectory(t, {})), DEFAULT_MIRROR);
  process.env[MIRROR_VARIABLE] = "http://local.example/debian/";
  t.after(() => {
    delete process.env[MIRROR_VARIABLE];
  });
  assert.equal(debianMirror(oneLine), "http://local.example/debian");
});
