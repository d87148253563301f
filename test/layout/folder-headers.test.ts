// The layout explains itself (issue 16): every folder of src/ opens, in its
// index.ts or else its first file, with two lines, what the folder owns and
// what it must not do; and the README's Layout tree names exactly the folders
// of src/. Checked here so that a new folder, or a header left behind in a file
// that is no longer first, fails the suite instead of going unnoticed.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const source = join(root, "src");

function folders(directory: string): string[] {
  const below = readdirSync(directory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => folders(join(directory, entry.name)));
  return [directory, ...below];
}

/**
 * The file a folder's header belongs in: index.ts, else the first .ts file in `ls` order (code-unit order, as
 * ls sorts in the C locale), else, for a folder of C alone (bench/c/), its first .c or .h file. A folder that
 * holds only folders (src/ itself, repro/) has none.
 */
function headerFile(directory: string): string | undefined {
  const files = readdirSync(directory, { withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name)
    .sort();
  if (files.includes("index.ts")) return "index.ts";
  return files.find((name) => name.endsWith(".ts")) ?? files.find((name) => /\.[ch]$/.test(name));
}

function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

test("every folder of src/ opens with what it owns and what it must not do, in its index.ts or first file", () => {
  const problems: string[] = [];
  let checked = 0;
  for (const directory of folders(source)) {
    const file = headerFile(directory);
    if (file === undefined) continue;
    checked += 1;
    const folder = `${relative(source, directory)}/`;
    const owns = new RegExp(`^(//|/\\*) ${escaped(folder)} owns `);
    const [first = "", second = ""] = readFileSync(join(directory, file), "utf8").split("\n");
    if (!owns.test(first)) problems.push(`src/${folder}${file}: line 1 does not say "${folder} owns …"`);
    if (!second.includes("must not")) problems.push(`src/${folder}${file}: line 2 does not say what it must not do`);
    // A header moves with the first file; a copy left in another file would drift from the one that counts.
    for (const other of readdirSync(directory)) {
      if (other === file || !/\.(ts|c|h)$/.test(other)) continue;
      if (owns.test(readFileSync(join(directory, other), "utf8"))) {
        problems.push(`src/${folder}${other}: a second "${folder} owns" header (the folder's is in ${file})`);
      }
    }
  }
  assert.ok(checked > 40, `only ${checked} folders found under src/`);
  assert.deepEqual(problems, []);
});

test("the README's Layout tree names each folder of src/, one line each, with the folders inside it", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.split(/^## /m).find((part) => part.startsWith("Layout\n"));
  assert.ok(section !== undefined, "README.md has no Layout section");
  const opening = "```\nsrc/\n";
  const start = section.indexOf(opening) + opening.length;
  const tree = section.slice(start, section.indexOf("\n```", start));
  // The folders of src/ are the tree's lines indented by two under src/, up to the first folder beside it.
  const lines = new Map<string, string>();
  const listed: string[] = [];
  for (const line of tree.split("\n")) {
    const folder = /^ {2}([a-z-]+)\/ /.exec(line);
    if (folder === null) break;
    listed.push(folder[1] as string);
    lines.set(folder[1] as string, line);
  }
  const actual = readdirSync(source, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
  assert.deepEqual([...listed].sort(), actual.sort());
  assert.equal(new Set(listed).size, listed.length, `a folder listed twice: ${listed.join(", ")}`);
  // A folder's line names the folders inside it, at any depth, by their own names (container/ (bubblewrap/ oci/)).
  const unnamed = actual.flatMap((top) =>
    folders(join(source, top))
      .slice(1)
      .filter(
        (inner) => !new RegExp(`[ (]${escaped(inner.slice(inner.lastIndexOf("/") + 1))}/`).test(lines.get(top) ?? ""),
      )
      .map((inner) => relative(source, inner)),
  );
  assert.deepEqual(unnamed, [], "folders missing from their folder's line in the README's Layout tree");
});
