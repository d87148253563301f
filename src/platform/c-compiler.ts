// platform/ owns host facts and small helpers: C compiler, static programs, PATH, parent death, pinning, tsx, package files.
// It must not know runs, components or enclaves: it stands on native/ alone, and every layer may use it.

// Which C compiler this machine has: $CC, then cc, gcc, clang. One answer for
// everything that builds C at run time (static programs, the benchmark floors)
// and for the tests that build the C client.
import { spawnSync } from "node:child_process";

let found: string | null | undefined;

/** The first C compiler that answers --version, or undefined when there is none. */
export function compilerCommand(): string | undefined {
  if (found === undefined) {
    found = null;
    for (const compiler of [process.env.CC, "cc", "gcc", "clang"]) {
      if (compiler && spawnSync(compiler, ["--version"], { stdio: "ignore" }).status === 0) {
        found = compiler;
        break;
      }
    }
  }
  return found ?? undefined;
}
