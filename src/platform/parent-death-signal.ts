// A component process must not outlive its supervisor, even one killed by
// SIGKILL, which no exit hook sees. The kernel offers exactly that
// (prctl PR_SET_PDEATHSIG); util-linux's setpriv sets it and then execs the
// component, so the pid stays the component's. Without setpriv, the exit hooks
// (exit-kill.ts) are all there is.
import { spawnSync } from "node:child_process";
import { findExecutable } from "./executable.ts";

let prefix: readonly string[] | undefined;

/**
 * The argv prefix that makes the kernel SIGKILL the child when the thread that
 * spawned it exits (for a supervisor on its main thread: when it dies), or an
 * empty prefix when this host cannot do it.
 */
export function parentDeathPrefix(): readonly string[] {
  if (prefix === undefined) {
    const setpriv = findExecutable("setpriv");
    // --pdeathsig came with util-linux 2.33; try it rather than parse a version.
    const works =
      setpriv !== undefined &&
      spawnSync(setpriv, ["--pdeathsig", "KILL", "--", "true"], { stdio: "ignore", timeout: 10_000 }).status === 0;
    prefix = works ? [setpriv, "--pdeathsig", "KILL", "--"] : [];
  }
  return prefix;
}
