import type { Command } from "commander";
import { packagePath } from "../platform/package-root.ts";
import { resolveStack } from "../stack/stack-store.ts";
import { describedCommand } from "./described-command.ts";
import { ExitCode } from "./exit-codes.ts";
import { withBenchProgress } from "./task-progress.ts";
import { wholeNumberOption } from "./whole-number-option.ts";

/** The stacks the example runs on, or why not: they are built by hand once (debootstrap, as root). */
function stackRoots(): { lammpsRoot: string; numpyRoot: string } | string {
  const missing: string[] = [];
  const roots = [
    ["lammps", "examples/lammps-crack/lammps.stack.yaml"],
    ["numpy2", "examples/conflicting-stacks/numpy2.stack.yaml"],
  ].map(([name, spec]) => {
    const stack = resolveStack(name as string);
    if (stack.hash === undefined) missing.push(`conflux stack build ${packagePath(spec as string)}`);
    return stack.rootfs;
  });
  if (missing.length > 0)
    return `the LAMMPS bench runs on two stacks that are not built; build them (as root):\n  ${missing.join("\n  ")}`;
  return { lammpsRoot: roots[0] as string, numpyRoot: roots[1] as string };
}

export function registerBenchLammps(bench: Command): void {
  describedCommand(bench, "lammps").action(
    async (options: { repeat: string; iterations: string; every: string; json?: boolean }) => {
      const repeat = wholeNumberOption("--repeat", options.repeat, 5);
      const iterations = wholeNumberOption("--iterations", options.iterations);
      const every = wholeNumberOption("--every", options.every);
      const roots = stackRoots();
      if (typeof roots === "string") {
        process.stderr.write(`conflux bench lammps: ${roots}\n`);
        process.exitCode = ExitCode.missingRequirement;
        return;
      }
      const { lammpsBenchmarkJson, lammpsBenchmarkTable, runLammpsBenchmark } = await import("../bench/lammps.ts");
      const result = await withBenchProgress("bench lammps", (progress) =>
        runLammpsBenchmark({
          ...roots,
          repeat,
          iterations,
          every,
          progress,
        }),
      );
      process.stdout.write(options.json ? `${lammpsBenchmarkJson(result)}\n` : lammpsBenchmarkTable(result));
    },
  );
}
