// examples/conflicting-stacks for real: its two stacks built by debootstrap
// (Debian bookworm's numpy 1.24, trixie's numpy 2.2) in a stacks directory of
// the test's own, reused on a second build, then the composition run in
// containers on both runtimes, and the same components on the host, where they
// cannot both have their numpy. Needs root (debootstrap) and the Debian mirror.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { readRunRecord } from "../../src/record/run-record.ts";
import { STACKS_VARIABLE } from "../../src/stack/stack-store.ts";
import { type Fixture, projectRoot, startCli } from "../support/child-process.ts";
import { ociTools } from "../support/oci-tools.ts";
import {
  BUBBLEWRAP,
  CRUN,
  DEBOOTSTRAP,
  debianMirrorUnreachable,
  needs,
  PODMAN,
  PYTHON,
  SKOPEO,
  skipBecause,
  unmet,
} from "../support/requirements.ts";
import { testStacksDirectory } from "../support/test-stacks.ts";

const example = join(projectRoot, "examples/conflicting-stacks");
const scratch = mkdtempSync(join(tmpdir(), "conflux-stacks-test-"));
after(() => rmSync(scratch, { recursive: true, force: true }));
// The suite's shared store: the LAMMPS example's analysis runs on the same numpy 2 stack, built once.
const environment = { [STACKS_VARIABLE]: testStacksDirectory() };

/** The child's whole output once it has exited (a build prints nothing for a minute or more). */
async function runToEnd(fixture: Fixture): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = "";
  fixture.child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  const { code } = await fixture.exited;
  return { code, stdout, stderr: fixture.stderr() };
}

// Building a stack needs debootstrap (a package) and the Debian mirror (the network, which no package brings).
const mirror = unmet(DEBOOTSTRAP) === undefined ? await debianMirrorUnreachable() : undefined;
const buildable = skipBecause(mirror, needs(DEBOOTSTRAP));

test(
  "conflicting stacks: on the host, a component says which numpy it lacks and the run names it",
  needs(PYTHON),
  async (t) => {
    const run = await runToEnd(
      startCli(t, ["run", "--quiet", "--results", join(scratch, "host-runs"), join(example, "on-the-host.yaml")]),
    );
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stderr,
      /component "(legacy|modern)" \(process enclave, pid \d+\) exited with code 3 before it said hello/,
    );
    assert.match(
      run.stderr,
      /^\[(legacy|modern)\] (legacy|modern) solver: .*numpy.*It needs numpy (1\.x|2\.1 or later)/m,
    );
  },
);

// debootstrap of two releases takes one to two minutes on two cores; give it room on a busy machine.
test("stack build: both example stacks build at once from the host's mirror", {
  ...buildable,
  timeout: 600_000,
}, async (t) => {
  const builds = ["numpy1", "numpy2"].map((name) =>
    runToEnd(startCli(t, ["stack", "build", "--quiet", join(example, `${name}.stack.yaml`)], environment)),
  );
  const [bookworm, trixie] = await Promise.all(builds);
  assert.equal(bookworm?.code, 0, bookworm?.stderr);
  assert.equal(trixie?.code, 0, trixie?.stderr);
  // Another test of the suite (the bundled containers') may have stored either first in the shared store: the
  // store builds a spec once. The LAMMPS example's test stores the trixie one too.
  assert.match(
    bookworm?.stdout ?? "",
    /^stack numpy1 [0-9a-f]{12}: (built in [\d.]+ s\n {2}Debian bookworm, \d+ packages|already built: reused, nothing to do)/,
  );
  assert.match(
    trixie?.stdout ?? "",
    /^stack numpy2 [0-9a-f]{12}: (built in [\d.]+ s\n {2}Debian trixie|already built: reused, nothing to do)/,
  );
});

test("stack build: the same spec again is reused, and says so", buildable, async (t) => {
  const again = await runToEnd(startCli(t, ["stack", "build", join(example, "numpy1.stack.yaml")], environment));
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /^stack numpy1 [0-9a-f]{12}: already built: reused, nothing to do$/m);
});

test("a built stack has its OCI image digest: the one its export has, Skopeo reads, and Podman runs", {
  ...skipBecause(mirror, needs(DEBOOTSTRAP, SKOPEO, PODMAN)),
  timeout: 600_000,
}, async (t) => {
  const built = await runToEnd(
    startCli(t, ["stack", "build", "--quiet", join(example, "numpy1.stack.yaml")], environment),
  );
  assert.equal(built.code, 0, built.stderr);
  const rootfs = /\n {2}(\/.*\/rootfs)$/m.exec(built.stdout)?.[1] ?? "";
  const manifest = JSON.parse(readFileSync(join(rootfs, "..", "stack.json"), "utf8")) as { imageDigest?: string };
  assert.match(manifest.imageDigest ?? "", /^sha256:[0-9a-f]{64}$/, "the build kept the stack's image digest");
  const archive = join(scratch, "numpy1.oci.tar");
  const exported = await runToEnd(startCli(t, ["stack", "export", "numpy1", "-o", archive], environment));
  assert.equal(exported.code, 0, exported.stderr);
  assert.match(exported.stdout, new RegExp(`image ${manifest.imageDigest}$`, "m"));
  const tools = ociTools(mkdtempSync(join(scratch, "oci-")));
  t.after(() => tools.close());
  const inspected = JSON.parse(tools.run("skopeo", "inspect", `oci-archive:${archive}`)) as { Digest: string };
  assert.equal(inspected.Digest, manifest.imageDigest);
  const version = tools.podmanRun(`oci-archive:${archive}`, "python3", "-c", "import numpy; print(numpy.__version__)");
  assert.match(version, /^1\.24\.\d+\n$/);
});

test("stack build: a spec that adds a file reuses the Debian base; ls and rm", buildable, async (t) => {
  writeFileSync(join(scratch, "greeting.txt"), "hello from the stack\n");
  const spec = join(scratch, "with-file.stack.yaml");
  writeFileSync(
    spec,
    "name: numpy1-greeting\nrelease: bookworm\npackages: [python3-numpy]\nfiles:\n  - { from: greeting.txt, to: /opt/greeting/greeting.txt, mode: '0644' }\n",
  );
  const built = await runToEnd(startCli(t, ["stack", "build", "--quiet", spec], environment));
  assert.equal(built.code, 0, built.stderr);
  assert.match(built.stdout, /built in [\d.]+ s \(Debian base reused; only files copied\)/);
  const rootfs = /\n {2}(\/.*\/rootfs)$/m.exec(built.stdout)?.[1] ?? "";
  assert.equal(readFileSync(join(rootfs, "opt/greeting/greeting.txt"), "utf8"), "hello from the stack\n");

  const listed = await runToEnd(startCli(t, ["stack", "ls"], environment));
  assert.match(listed.stdout, /^numpy1 {2}[0-9a-f]{12} {2}Debian bookworm {2}python3-numpy {2}0 file\(s\)/m);
  assert.match(listed.stdout, /^numpy1-greeting {2}[0-9a-f]{12} {2}Debian bookworm {2}python3-numpy {2}1 file\(s\)/m);
  assert.match(listed.stdout, /^numpy2 /m);

  const removed = await runToEnd(startCli(t, ["stack", "rm", "numpy1-greeting"], environment));
  assert.equal(removed.code, 0, removed.stderr);
  assert.match(removed.stdout, /^removed stack [0-9a-f]{12} \(numpy1-greeting\)$/m);
  assert.equal(existsSync(rootfs), false);
  const after = await runToEnd(startCli(t, ["stack", "ls"], environment));
  assert.doesNotMatch(after.stdout, /numpy1-greeting/);
  assert.match(after.stdout, /^numpy1 /m, "the other stack on the same base stays");
  const unknown = await runToEnd(startCli(t, ["stack", "rm", "numpy3"], environment));
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /no stack is called or hashed numpy3 in .*; its stacks: .*\bnumpy1\b/);
  assert.match(unknown.stderr, /; its stacks: .*\bnumpy2\b/);
});

test("conflux run builds a stack named by its spec file first, once, and records the spec", buildable, async (t) => {
  // numpy1's packages and a file of its own: a stack of its own content, on numpy1's Debian base.
  const directory = join(scratch, "by-spec");
  mkdirSync(join(directory, "stacks"), { recursive: true });
  writeFileSync(join(directory, "stacks", "marker.txt"), "named by its spec\n");
  writeFileSync(
    join(directory, "stacks", "legacy.stack.yaml"),
    "version: 1\nname: numpy1-by-spec\nrelease: bookworm\npackages: [python3-numpy]\nfiles:\n  - { from: marker.txt, to: /opt/marker.txt, mode: '0644' }\n",
  );
  const composition = join(directory, "conflux.yaml");
  writeFileSync(
    composition,
    readFileSync(join(example, "conflux.yaml"), "utf8")
      .replace("stack: numpy1", "stack: ./stacks/legacy.stack.yaml")
      .replaceAll("[./", `[${example}/`)
      .replace("iterations: 200", "iterations: 20")
      .replace("# yaml-language-server: $schema=../../docs/composition.schema.json\n", ""),
  );
  const results = join(directory, "runs");
  const first = await runToEnd(startCli(t, ["run", "--results", results, composition], environment));
  assert.equal(first.code, 0, first.stderr);
  assert.match(
    first.stderr,
    new RegExp(
      `^conflux run: stack numpy1-by-spec is not built; building it from ${join(directory, "stacks", "legacy.stack.yaml")} first$`,
      "m",
    ),
  );
  // Not a terminal: plain lines, the build's own among them, then what it took.
  assert.match(first.stderr, /^stack numpy1-by-spec: copying the base and 1 file\(s\) into the stack$/m);
  assert.match(first.stderr, /^conflux run: stack numpy1-by-spec built in [\d.]+ s$/m);
  assert.match(first.stderr, /^\[legacy\] numpy 1\.24\.\d+ on Python 3\.11/m);
  const record = readRunRecord(join(results, readdirSync(results).find((entry) => !entry.includes(".")) as string));
  const spec = record.inputs.find((input) => input.role === "stack spec");
  assert.equal(spec?.path, join(directory, "stacks", "legacy.stack.yaml"));
  assert.equal(spec?.component, "legacy");
  assert.match(spec?.sha256 ?? "", /^[0-9a-f]{64}$/);

  const again = await runToEnd(startCli(t, ["run", "--quiet", "--results", results, composition], environment));
  assert.equal(again.code, 0, again.stderr);
  assert.doesNotMatch(again.stderr, /is not built/);
  const removed = await runToEnd(startCli(t, ["stack", "rm", "numpy1-by-spec"], environment));
  assert.equal(removed.code, 0, removed.stderr);
});

test("conflux run names a stack spec that is not one, at its key, before anything starts", async (t) => {
  const directory = join(scratch, "bad-spec");
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, "broken.stack.yaml"), "version: 1\nname: broken\nrelease: bookworm\npackages: 7\n");
  const composition = join(directory, "conflux.yaml");
  writeFileSync(
    composition,
    readFileSync(join(example, "conflux.yaml"), "utf8")
      .replace("stack: numpy1", "stack: ./broken.stack.yaml")
      .replaceAll("[./", `[${example}/`)
      .replace("# yaml-language-server: $schema=../../docs/composition.schema.json\n", ""),
  );
  const run = await runToEnd(startCli(t, ["run", "--results", join(directory, "runs"), composition], environment));
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /components\.legacy\.enclave\.container\.stack: .*broken\.stack\.yaml.*packages/);
  assert.doesNotMatch(run.stderr, /is not built; building/);
});

for (const runtime of ["bubblewrap", "crun"] as const) {
  const options = skipBecause(mirror, needs(DEBOOTSTRAP, runtime === "crun" ? CRUN : BUBBLEWRAP));
  test(
    `conflicting stacks: numpy 1 and numpy 2 coupled in one run, each in its stack (${runtime})`,
    options,
    async (t) => {
      // The example as shipped runs on bubblewrap; the same file with the other runtime, paths made absolute.
      const composition = join(scratch, `conflicting-stacks-${runtime}.yaml`);
      writeFileSync(
        composition,
        readFileSync(join(example, "conflux.yaml"), "utf8")
          .replaceAll("runtime: bubblewrap", `runtime: ${runtime}`)
          .replaceAll("[./", `[${example}/`)
          .replace("# yaml-language-server: $schema=../../docs/composition.schema.json\n", ""),
      );
      const run = await runToEnd(
        startCli(t, ["run", "--quiet", "--results", join(scratch, `runs-${runtime}`), composition], environment),
      );
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /^\[legacy\] numpy 1\.24\.\d+ on Python 3\.11\.\d+ \(Debian 12\./m);
      assert.match(run.stderr, /^\[modern\] numpy 2\.\d+\.\d+ on Python 3\.1\d\.\d+ \(Debian 13\./m);
      assert.match(run.stderr, /^\[legacy\] done: mean temperature -?\d/m);
      assert.match(run.stderr, /^\[modern\] done: mean flux -?\d/m);
      // The record names each component's stack by its image digest, the one its stack was built with.
      const results = join(scratch, `runs-${runtime}`);
      const record = readRunRecord(join(results, readdirSync(results)[0] as string));
      for (const enclave of record.enclaves) {
        const software = enclave.description.software as { name: string; imageDigest?: string };
        const stack = JSON.parse(
          readFileSync(join(environment[STACKS_VARIABLE], "names", software.name, "stack.json"), "utf8"),
        ) as { imageDigest?: string };
        assert.match(software.imageDigest ?? "", /^sha256:[0-9a-f]{64}$/, `${enclave.component}'s stack`);
        assert.equal(software.imageDigest, stack.imageDigest);
      }
    },
  );
}
