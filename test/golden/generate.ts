// Writes the golden images (see images.ts and README.md) and the golden
// interpolation weights (time-interpolation-cases.ts) into this directory.
// The committed files are the contract: run this only for a new wire format
// version, or new interpolation cases.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Run } from "../../src/shm/run.ts";
import { goldenImages } from "./images.ts";
import { goldenInterpolationText } from "./time-interpolation-cases.ts";

const run = Run.create();
try {
  for (const [file, bytes] of goldenImages(run)) {
    writeFileSync(fileURLToPath(new URL(`./${file}`, import.meta.url)), bytes);
    process.stdout.write(`${file}: ${bytes.length} bytes\n`);
  }
} finally {
  run.close();
}
const text = goldenInterpolationText();
writeFileSync(fileURLToPath(new URL("./time-interpolation.json", import.meta.url)), text);
process.stdout.write(`time-interpolation.json: ${text.length} bytes\n`);
