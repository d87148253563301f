// What the implicit benchmark's participants need: the C ones built with the
// C client into a scratch directory, and a python3 that imports numpy.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { compilerCommand } from "../../platform/c-compiler.ts";
import { packagePath } from "../../platform/package-root.ts";
import type { Programs } from "./cases.ts";

const C_FLAGS = ["-std=c99", "-O2", "-ffp-contract=off"];

/** python3 on PATH, else the system's, when it imports numpy; undefined otherwise. */
export function numpyPython(): string | undefined {
  for (const python of ["python3", "/usr/bin/python3"]) {
    const probe = spawnSync(python, ["-c", "import sys, numpy; assert sys.version_info >= (3, 9)"], {
      stdio: "ignore",
    });
    if (probe.status === 0) return python;
  }
  return undefined;
}

function buildWithClient(directory: string, name: string, sources: string[]): string {
  const compiler = compilerCommand() as string;
  const binary = join(directory, name);
  const client = packagePath("clients/c");
  const build = spawnSync(
    compiler,
    [...C_FLAGS, `-I${client}`, ...sources.map(packagePath), join(client, "conflux.c"), "-lm", "-o", binary],
    { encoding: "utf8", timeout: 120_000 },
  );
  if (build.status !== 0) throw new Error(`${name} did not build: ${build.stderr.trim()}`);
  return binary;
}

/** The participants built into `directory`, or why they cannot be. */
export function buildPrograms(directory: string): Programs | string {
  if (compilerCommand() === undefined) return "no C compiler (install gcc: apt-get install -y gcc)";
  const python = numpyPython();
  if (python === undefined) return "no python3 with numpy (Debian: apt-get install -y python3-numpy)";
  return {
    python,
    neumann: buildWithClient(directory, "neumann", [
      "examples/partitioned-heat/neumann.c",
      "examples/partitioned-heat/heat_common.c",
      "examples/partitioned-heat/heat_neumann.c",
    ]),
    fluid: buildWithClient(directory, "fluid", ["examples/elastic-tube-1d/fluid.c", "examples/elastic-tube-1d/tube.c"]),
    solid: buildWithClient(directory, "solid", ["examples/elastic-tube-1d/solid.c", "examples/elastic-tube-1d/tube.c"]),
    dirichlet: buildWithClient(directory, "dirichlet", [
      "examples/partitioned-heat/dirichlet.c",
      "examples/partitioned-heat/heat_common.c",
      "examples/partitioned-heat/heat_dirichlet.c",
    ]),
  };
}
