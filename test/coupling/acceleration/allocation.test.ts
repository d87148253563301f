// After the first window an acceleration allocates nothing: every method and
// mode runs further windows (perform in each iteration, windowConverged at
// the end) with no growth of the JavaScript heap per iteration. The problem
// itself is evaluated into preallocated arrays, so what is measured is the
// acceleration's.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Acceleration } from "../../../src/coupling/acceleration/acceleration.ts";
import { AitkenRelaxation } from "../../../src/coupling/acceleration/aitken.ts";
import { ConstantRelaxation } from "../../../src/coupling/acceleration/constant-relaxation.ts";
import { IqnIls } from "../../../src/coupling/acceleration/iqn-ils.ts";
import { IqnImvj } from "../../../src/coupling/acceleration/iqn-imvj.ts";
import { Preconditioner } from "../../../src/coupling/acceleration/preconditioner.ts";
import type { QuasiNewtonSettings } from "../../../src/coupling/acceleration/quasi-newton.ts";
import { seededRandom } from "../../support/seeded-random.ts";
import { affineMap, lowRankContraction, readLayout, waveformLayout, writeLayout } from "./fixed-point-problems.ts";
import { heapGrowthPerCall } from "./heap-growth.ts";

const settings = (overrides: Partial<QuasiNewtonSettings>): QuasiNewtonSettings => ({
  initialRelaxation: 0.5,
  maxColumns: 8,
  windowsReused: 2,
  filter: "qr2",
  filterLimit: 1e-3,
  preconditioner: new Preconditioner("residual-sum"),
  ...overrides,
});

const accelerations: [string, () => Acceleration][] = [
  ["constant", () => new ConstantRelaxation(0.5)],
  ["aitken", () => new AitkenRelaxation(0.5)],
  ...(["none", "qr1", "qr2", "qr3"] as const).map(
    (filter) => [`iqn-ils ${filter}`, () => new IqnIls(settings({ filter }))] as [string, () => Acceleration],
  ),
  [
    "iqn-ils value, no reuse",
    () => new IqnIls(settings({ windowsReused: 0, preconditioner: new Preconditioner("value") })),
  ],
  ...(["none", "rs-0", "rs-ls", "rs-svd"] as const).map(
    (mode) =>
      [
        `iqn-imvj ${mode}`,
        () => new IqnImvj(settings({ windowsReused: 0 }), { mode, chunk: 2, truncation: 1e-3, reusedWindows: 2 }),
      ] as [string, () => Acceleration],
  ),
];

for (const [name, create] of accelerations) {
  test(`${name}: no heap growth per iteration after the first window`, async () => {
    const random = seededRandom(3);
    const { layout, size } = waveformLayout([
      { points: 7, samples: 3 },
      { points: 4, samples: 3 },
    ]);
    const map = affineMap(
      lowRankContraction(size, 8, random, 0.9),
      Float64Array.from({ length: size }, () => random()),
    );
    const acceleration = create();
    acceleration.initialize(layout);
    const x = new Float64Array(size);
    const xTilde = new Float64Array(size);
    const fields = layout.fields;
    const samples = 3;
    let window = 0;
    let iteration = 0;
    // One iteration of the driver's loop: a window takes 6 iterations, then starts from its end value.
    const step = () => {
      if (iteration === 0) {
        let offset = 0;
        for (let field = 0; field < fields.length; field++) {
          const start = (fields[field] as (typeof fields)[number]).start;
          for (let sample = 0; sample < samples; sample++) {
            x.set(start, offset);
            offset += start.length;
          }
        }
      }
      map(x, xTilde);
      writeLayout(layout, xTilde);
      if (iteration === 5) {
        acceleration.windowConverged(window);
        for (let field = 0; field < fields.length; field++) {
          const entry = fields[field] as (typeof fields)[number];
          entry.start.set(entry.samples[samples - 1] as Float64Array);
        }
        window++;
        iteration = 0;
        return;
      }
      acceleration.perform(window, iteration);
      readLayout(layout, x);
      iteration++;
    };
    // The first window (and a restart cycle) happen during the warm-up.
    const growth = await heapGrowthPerCall(step, 3000, 600);
    assert.ok(growth < 8, `${name}: the heap grew ${growth} bytes per iteration`);
  });
}
