import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { release } from "node:os";
import { test } from "node:test";
import { cLibraryOf } from "../../src/record/c-library.ts";
import { captureEnvironment } from "../../src/record/enclave-environment.ts";
import { loadedImage } from "../../src/record/process-maps.ts";

function sha256Of(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

test("a running native process is seen as it runs: executable, loader, C library and libraries, each hashed", async (t) => {
  const child = spawn("sleep", ["60"], { stdio: "ignore" });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  t.after(async () => {
    child.kill("SIGKILL");
    await exited;
  });
  await new Promise((resolve) => child.once("spawn", resolve));
  // The kernel has exec'd sleep once its maps name it (until then they are node's),
  // and the dynamic loader has done its work once the C library is mapped too.
  const pid = child.pid as number;
  const started = (image: ReturnType<typeof loadedImage>) =>
    /sleep/.test(image.executable ?? "") && image.files.some((file) => /\/libc[.-]/.test(file));
  for (let tries = 0; tries < 400 && !started(loadedImage(pid)); tries++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const environment = captureEnvironment(pid, {
    kernel: release(),
    commandLine: ["sleep", "60"],
    env: { OMP_NUM_THREADS: "2", HOME: "/root" },
  });
  assert.match(environment.executable?.path ?? "", /sleep$/);
  // Checked against a digest computed here, independently of the memoised hashFile the capture used.
  assert.equal(environment.executable?.sha256, sha256Of(environment.executable?.path ?? ""));
  assert.equal(environment.executable?.bytes, statSync(environment.executable?.path ?? "").size);
  assert.match(environment.executable?.interpreter ?? "", /ld-/);
  assert.equal(environment.runtime, undefined, "not a node process");
  assert.equal(environment.libc.family, "glibc");
  assert.match(environment.libc.version ?? "", /^2\.\d+/);
  assert.ok(environment.libraries.length > 0);
  for (const library of environment.libraries) assert.equal(library.sha256, sha256Of(library.path), library.path);
  assert.deepEqual(environment.floatingPoint.env, { OMP_NUM_THREADS: "2" });
  assert.equal(environment.kernel.release, release());
  assert.ok(environment.cpu.flags.length > 0);
});

test("a process that has ended is recorded with the reason, not a failure", () => {
  const environment = captureEnvironment(2 ** 22 + 12345, { kernel: release(), commandLine: [], env: {} });
  assert.match(environment.error ?? "", /cannot read the loaded files of pid/);
  assert.deepEqual(environment.libraries, []);
});

test("our own image: node, its C library, no /dev mappings, nothing under an excluded directory", () => {
  const image = loadedImage(process.pid, ["/usr/lib"]);
  assert.equal(image.root, "");
  assert.ok(image.files.every((file) => !file.startsWith("/dev/") && !file.startsWith("/usr/lib/")));
  const all = loadedImage(process.pid);
  assert.equal(cLibraryOf(all.files).family, "glibc");
  assert.deepEqual(cLibraryOf(["/opt/x/libfoo.so"]), { family: "none" });
  assert.equal(cLibraryOf(["/lib/ld-musl-x86_64.so.1"]).family, "musl");
});
