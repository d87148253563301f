// Runs the partitioned heat case through preCICE for each acceleration and
// prints the iterations per window (or, with --json, everything measured):
//   node --import tsx src/bench/precice-heat/run.ts [--json]
import { measurePreciceHeat } from "./precice-heat.ts";

const json = process.argv.includes("--json");
const result = await measurePreciceHeat();
if (json) {
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} else if (result.skipped !== undefined) {
  process.stdout.write(`preCICE heat: skipped: ${result.skipped}\n`);
} else {
  process.stdout.write(
    `preCICE ${result.installation?.version}, partitioned heat, 11×11 nodes a side, window 0.1, 10 substeps, relative 1e-10\n`,
  );
  for (const run of result.runs) {
    process.stdout.write(
      `${run.acceleration.padEnd(9)} iterations per window ${run.iterations.join(",")} (${run.total} in all), ` +
        `${run.msPerIteration.toFixed(2)} ms an iteration, max error ${run.maxError.toExponential(2)}, ` +
        `${run.warnings} warnings\n`,
    );
  }
}
