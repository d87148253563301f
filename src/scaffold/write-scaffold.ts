// `conflux init`: a new component in the language asked for, a composition around it, and whatever makes it run at
// once — the SDK linked for TypeScript, the client's path for Python, the program built for C.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { compilerCommand } from "../platform/c-compiler.ts";
import { findExecutable } from "../platform/executable.ts";
import { PACKAGE_NAME, PACKAGE_ROOT, packagePath } from "../platform/package-root.ts";
import { cComponent, cMakefile } from "./c-component.ts";
import { type CompositionTemplate, compositionText } from "./composition-template.ts";
import { pythonComponent } from "./python-component.ts";
import type { ScaffoldFile, ScaffoldLanguage } from "./scaffold-files.ts";
import { typescriptComponent } from "./typescript-component.ts";

/** A component's name in a composition (compose/schema.ts): it names the directory too. */
const COMPONENT_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;

export class ScaffoldError extends Error {
  override name = "ScaffoldError";
}

export interface Scaffold {
  directory: string;
  files: string[];
  /** What was run to make the component runnable (the C build), with its output when it failed. */
  build?: { command: string; ok: boolean; output: string };
}

function languageFiles(
  name: string,
  language: ScaffoldLanguage,
): { files: ScaffoldFile[]; template: CompositionTemplate } {
  const partner = name === "partner" ? "other" : "partner";
  switch (language) {
    case "ts":
      return {
        files: [
          { path: "component.ts", text: typescriptComponent(name), mode: 0o644 },
          {
            path: "package.json",
            text: `${JSON.stringify({ name: name.toLowerCase(), private: true, type: "module", dependencies: { [PACKAGE_NAME]: "*" } }, null, 2)}\n`,
            mode: 0o644,
          },
        ],
        template: { name, partner, language, launch: "module: ./component.ts", env: {} },
      };
    case "python":
      return {
        files: [{ path: "component.py", text: pythonComponent(name), mode: 0o755 }],
        template: {
          name,
          partner,
          language,
          launch: "command: [./component.py]",
          // `conflux run` puts its own client on the component's PYTHONPATH, so the composition names no path to
          // it (and stays the project's own, wherever it is copied); no cache file should be left in that package.
          env: { PYTHONDONTWRITEBYTECODE: "1" },
        },
      };
    case "c":
      return {
        files: [
          { path: "component.c", text: cComponent(name), mode: 0o644 },
          { path: "Makefile", text: cMakefile(packagePath("clients/c")), mode: 0o644 },
        ],
        template: { name, partner, language, launch: "command: [./component]", env: {} },
      };
  }
}

function buildC(directory: string): Scaffold["build"] {
  const make = findExecutable("make");
  const compiler = compilerCommand();
  if (make === undefined || compiler === undefined) {
    const missing = make === undefined ? "make" : "a C compiler";
    return {
      command: "make",
      ok: false,
      output: `${missing} is not installed (apt-get install -y make gcc); then run make in ${directory}`,
    };
  }
  const built = spawnSync(make, ["-s", "-C", directory, `CC=${compiler}`], { encoding: "utf8" });
  return {
    command: `make -C ${directory}`,
    ok: built.status === 0,
    output: `${built.stdout ?? ""}${built.stderr ?? ""}${built.error?.message ?? ""}`.trim(),
  };
}

/** Writes `name`/ under `parent`: a component in `language` and conflux.yaml, ready for `conflux run`. */
export function writeScaffold(name: string, language: ScaffoldLanguage, parent = process.cwd()): Scaffold {
  if (!COMPONENT_NAME.test(name)) {
    throw new ScaffoldError(
      `init ${JSON.stringify(name)}: a component's name is a letter followed by up to 31 letters, digits, "_" or "-"; choose another`,
    );
  }
  const directory = resolve(parent, name);
  if (existsSync(directory) && readdirSync(directory).length > 0) {
    throw new ScaffoldError(
      `init ${name}: ${directory} exists and is not empty; choose another name, or run init where it does not exist`,
    );
  }
  const { files, template } = languageFiles(name, language);
  files.push({ path: "conflux.yaml", text: compositionText(template), mode: 0o644 });
  files.push({
    path: ".gitignore",
    text: language === "c" ? "conflux-runs/\ncomponent\n" : "conflux-runs/\n",
    mode: 0o644,
  });
  mkdirSync(directory, { recursive: true });
  for (const file of files) writeFileSync(join(directory, file.path), file.text, { mode: file.mode });
  const written = files.map((file) => file.path);
  if (language === "ts") {
    // `import … from "conflux-coupling/component"` resolves from the component's own node_modules, as it would
    // after `npm install conflux-coupling`; a link to this package is what `npm link` makes.
    mkdirSync(join(directory, "node_modules"));
    symlinkSync(PACKAGE_ROOT.replace(/\/$/, ""), join(directory, "node_modules", PACKAGE_NAME));
    written.push(`node_modules/${PACKAGE_NAME} (a link to this package)`);
  }
  return language === "c" ? { directory, files: written, build: buildC(directory) } : { directory, files: written };
}
