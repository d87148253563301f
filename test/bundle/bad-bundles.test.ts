// What no `conflux pack` writes is refused with a message that names the
// bundle, the place and the fix, and never a stack trace: a file that is no
// archive, a truncated one, a manifest of another version, entries that would
// land outside the directory (../x, /x) and links.
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import tar from "tar-stream";
import { conflux, emptyCaches, scratch, seedProject } from "./bundle-support.ts";

type Entry = { name: string; data?: string; type?: "file" | "symlink" | "link"; linkname?: string };

async function archive(path: string, entries: Entry[]): Promise<void> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer);
  })();
  for (const entry of entries) {
    if (entry.type === "symlink" || entry.type === "link")
      pack.entry({ name: entry.name, type: entry.type, linkname: entry.linkname ?? "" });
    else pack.entry({ name: entry.name }, entry.data ?? "");
  }
  pack.finalize();
  await collected;
  writeFileSync(path, Buffer.concat(chunks));
}

const manifest = (version = 1) =>
  JSON.stringify({
    format: "conflux-bundle",
    version,
    conflux: { version: "0.1.0" },
    name: "x",
    composition: "app/c.yaml",
    stacks: [],
    files: [],
  });

test("bad bundles are refused by name, with the fix, and without a stack trace", async (t) => {
  const work = scratch(t, "bad");
  const caches = emptyCaches(t);
  const composition = seedProject(work);
  assert.equal(conflux(work, {}, "pack", composition, "-o", "good.cfx").code, 0);
  const good = readFileSync(join(work, "good.cfx"));
  writeFileSync(join(work, "truncated.cfx"), good.subarray(0, 1500));
  writeFileSync(join(work, "text.cfx"), "version: 1\nname: not a bundle\n".repeat(40));
  await archive(join(work, "version.cfx"), [{ name: "manifest.json", data: manifest(7) }]);
  await archive(join(work, "no-manifest.cfx"), [{ name: "app/c.yaml", data: "x" }]);
  await archive(join(work, "climbs.cfx"), [
    { name: "manifest.json", data: manifest() },
    { name: "app/../../x", data: "x" },
  ]);
  await archive(join(work, "absolute.cfx"), [
    { name: "manifest.json", data: manifest() },
    { name: "/tmp/x", data: "x" },
  ]);
  await archive(join(work, "symlink.cfx"), [
    { name: "manifest.json", data: manifest() },
    { name: "app/escape", type: "symlink", linkname: "/etc" },
  ]);
  await archive(join(work, "hardlink.cfx"), [
    { name: "manifest.json", data: manifest() },
    { name: "app/escape", type: "link", linkname: "../../etc/passwd" },
  ]);
  const cases: [string, RegExp][] = [
    ["truncated.cfx", /truncated.cfx (ends early .*it is truncated|.*missing.*truncated)/],
    ["text.cfx", /text.cfx is not a bundle .*give a file that `conflux pack` wrote/],
    [
      "version.cfx",
      /manifest.json is of bundle format version 7; this conflux reads version 1: use the conflux that packed it/,
    ],
    ["no-manifest.cfx", /its first entry is app\/c.yaml, not manifest.json/],
    ["climbs.cfx", /entry "app\/..\/..\/x" is a path that climbs out with \.\./],
    ["absolute.cfx", /entry "\/tmp\/x" is an absolute path/],
    ["symlink.cfx", /entry app\/escape is a symbolic link \(to \/etc\).*bundles hold only files/],
    ["hardlink.cfx", /entry app\/escape is a hard link/],
    ["missing.cfx", /missing.cfx cannot be read .*give the path of a bundle/],
  ];
  for (const [file, expected] of cases) {
    // Every command reads a bundle through one reader: each case through two, and run and inspect on some.
    const commands = [["verify"], ["unpack", "-C", `out-${file}`]];
    if (file === "truncated.cfx" || file === "symlink.cfx") commands.push(["run", "--quiet"], ["inspect"]);
    for (const command of commands) {
      const [name, ...rest] = command as [string, ...string[]];
      const outcome = conflux(work, caches, name, join(work, file), ...rest);
      assert.equal(outcome.code, 2, `${name} ${file}: ${outcome.stderr}`);
      assert.match(outcome.stderr, expected, `${name} ${file}`);
      assert.doesNotMatch(outcome.stderr, /\n\s+at /, `${name} ${file}: no stack trace`);
    }
    assert.ok(!existsSync(join(work, `out-${file}`)), `${file}: a refused unpack leaves nothing`);
  }
});
