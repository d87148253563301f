// Checks a finished seed-dtk run against the single-process reference:
//   node --import tsx examples/seed-dtk/check.ts RUN_DIR
// Prints the largest relative difference of each output field; exits 1 above 1e-12.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseComposition } from "conflux-coupling/compose";
import { setupNearestNeighbour } from "conflux-coupling/mapping";
import { readRunRecord } from "conflux-coupling/record";
import { settingsFrom } from "conflux-coupling/seed-demo";
import { seedReference } from "./reference.ts";

const directory = process.argv[2];
if (directory === undefined) {
  process.stderr.write("usage: check.ts RUN_DIR (a directory conflux run wrote for examples/seed-dtk)\n");
  process.exit(2);
}
const record = readRunRecord(directory);
const compositionCopy = join(directory, record.composition.copy);
const composition = parseComposition(readFileSync(compositionCopy, "utf8"), compositionCopy);
const args = (name: string) => composition.components[name]?.args ?? {};
const reference = seedReference(
  settingsFrom({ points: 3000, seed: 1, sweeps: 3, ...args("appA") }, "temperature"),
  settingsFrom({ points: 3000, seed: 2, sweeps: 3, ...args("appB") }, "flux"),
  record.iterations.completed,
  (source, target) => setupNearestNeighbour(source, target),
);
let worstOverall = 0;
for (const [name, expected] of [
  ["appA.surface.temperature", reference.temperatureA],
  ["appA.surface.flux", reference.fluxA],
  ["appB.surface.temperature", reference.temperatureB],
  ["appB.surface.flux", reference.fluxB],
] as const) {
  const bytes = readFileSync(join(directory, "fields", `${name}.f64`));
  const actual = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
  let worst = 0;
  for (let index = 0; index < expected.length; index++) {
    const difference = Math.abs((actual[index] as number) - (expected[index] as number));
    worst = Math.max(worst, difference / Math.max(1, Math.abs(expected[index] as number)));
  }
  worstOverall = Math.max(worstOverall, worst);
  process.stdout.write(
    `${name}: largest relative difference from the single-process reference ${worst.toExponential(2)}\n`,
  );
}
process.stdout.write(worstOverall <= 1e-12 ? "matches the reference to 1e-12\n" : "DIFFERS from the reference\n");
process.exitCode = worstOverall <= 1e-12 ? 0 : 1;
