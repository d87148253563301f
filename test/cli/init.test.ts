// `conflux init` as a user runs it: a real child process writes the component, and `conflux run` runs what it wrote,
// for each language. The stand-in physics settles at temperature = 4x/3 and flux = 2x/3, which the saved fields show.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { fileURLToPath } from "node:url";
import { C_COMPILER, MAKE, needs, PYTHON } from "../support/requirements.ts";
import { runConflux } from "../support/run-conflux.ts";

const _root = fileURLToPath(new URL("../..", import.meta.url));

function conflux(cwd: string, ...args: string[]) {
  return runConflux(args, cwd, 120_000);
}

function scratch(t: TestContext): string {
  const directory = mkdtempSync(join(tmpdir(), "conflux-init-"));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

function doubles(path: string): Float64Array {
  const bytes = readFileSync(path);
  return new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
}

const cases = [
  { language: "ts", files: ["component.ts", "package.json", "conflux.yaml"], requirements: [] },
  { language: "python", files: ["component.py", "conflux.yaml"], requirements: [PYTHON] },
  { language: "c", files: ["component.c", "Makefile", "conflux.yaml", "component"], requirements: [C_COMPILER, MAKE] },
] as const;

for (const { language, files, requirements } of cases) {
  test(
    `conflux init --language ${language} writes a component that conflux run runs at once`,
    needs(...requirements),
    (t) => {
      const parent = scratch(t);
      const name = `heat_${language}`;
      const init = conflux(parent, "init", "--language", language, name);
      assert.equal(init.code, 0, init.stderr);
      assert.match(init.stdout, new RegExp(`run it: cd ${name} && conflux run conflux.yaml`));
      const directory = join(parent, name);
      for (const file of files) assert.ok(readdirSync(directory).includes(file), `${file} was written`);

      const run = conflux(directory, "run", "conflux.yaml");
      assert.equal(run.code, 0, run.stderr);
      const [record] = readdirSync(join(directory, "conflux-runs"));
      assert.ok(record !== undefined);
      const fields = join(directory, "conflux-runs", record, "fields");
      const x = doubles(join(fields, `${name}.interface.coordinates.f64`));
      const temperature = doubles(join(fields, `${name}.interface.temperature.f64`));
      const flux = doubles(join(fields, "partner.interface.flux.f64"));
      assert.equal(x.length, 64);
      assert.equal(x[63], 1);
      for (let point = 0; point < 64; point++) {
        assert.ok(
          Math.abs((temperature[point] as number) - (4 * (x[point] as number)) / 3) < 1e-12,
          `temperature at ${point}`,
        );
        assert.ok(Math.abs((flux[point] as number) - (2 * (x[point] as number)) / 3) < 1e-12, `flux at ${point}`);
      }
      const summary = JSON.parse(readFileSync(join(directory, "conflux-runs", record, "run.json"), "utf8"));
      assert.equal(summary.status, "completed");
      assert.equal(summary.iterations.completed, 40);
    },
  );
}

test("conflux init refuses a directory that holds files, a bad name and an unknown language, by name", (t) => {
  const parent = scratch(t);
  assert.equal(conflux(parent, "init", "first").code, 0);
  const again = conflux(parent, "init", "first");
  assert.equal(again.code, 2);
  assert.match(again.stderr, /first exists and is not empty; choose another name/);
  const badName = conflux(parent, "init", "9lives");
  assert.equal(badName.code, 2);
  assert.match(badName.stderr, /a component's name is a letter followed by/);
  const badLanguage = conflux(parent, "init", "--language", "rust", "second");
  assert.equal(badLanguage.code, 2);
  assert.match(badLanguage.stderr, /--language rust: give one of ts, python, c/);
  for (const result of [again, badName, badLanguage]) assert.doesNotMatch(result.stderr, /\n\s+at /);
  assert.deepEqual(readdirSync(parent).sort(), ["first"]);
});
