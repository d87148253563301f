// What the bundle tests share: conflux as a child process, scratch directories
// removed when the test ends (also when it fails), and a copy of the seed
// example as a project of its own, so a test can pack it and then remove it.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { projectRoot } from "../support/child-process.ts";

export interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function conflux(cwd: string, environment: NodeJS.ProcessEnv, ...args: string[]): Outcome {
  return confluxWithin(180_000, cwd, environment, ...args);
}

/** As conflux(), for a command that may take longer: a stack build, which may also wait for another's build of it. */
export function confluxWithin(
  timeoutMs: number,
  cwd: string,
  environment: NodeJS.ProcessEnv,
  ...args: string[]
): Outcome {
  const result = spawnSync(process.execPath, [join(projectRoot, "bin/conflux.js"), ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, ...environment },
    timeout: timeoutMs,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function scratch(t: TestContext, prefix: string): string {
  const directory = mkdtempSync(join(tmpdir(), `conflux-bundle-test-${prefix}-`));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

/**
 * The seed example as a project outside this checkout, its imports of
 * `conflux-coupling/…` resolved through node_modules as after
 * `npm install conflux-coupling`. Returns its composition file.
 */
export function seedProject(parent: string): string {
  const project = join(parent, "project");
  cpSync(join(projectRoot, "examples/seed-dtk"), join(project, "examples/seed-dtk"), { recursive: true });
  mkdirSync(join(project, "node_modules"));
  symlinkSync(projectRoot.replace(/\/$/, ""), join(project, "node_modules/conflux-coupling"));
  return join(project, "examples/seed-dtk/conflux.yaml");
}

/** Every cache a run may use, empty and private to the test, and a private segment root. */
export function emptyCaches(t: TestContext): NodeJS.ProcessEnv {
  const caches = scratch(t, "caches");
  const shm = mkdtempSync(join("/dev/shm", "confluxtest-bundle-"));
  t.after(() => rmSync(shm, { recursive: true, force: true }));
  return {
    XDG_CACHE_HOME: join(caches, "cache"),
    CONFLUX_STACKS: join(caches, "stacks"),
    CONFLUX_SHM_ROOT: shm,
  };
}
