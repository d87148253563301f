// The fixed cases of the golden interpolation weights
// (time-interpolation.json): sample times, degrees and read times chosen to
// reach every branch of preCICE's Waveform::sample — fewer samples than the
// degree needs, a read at a sample time and within 1e-14 of one, reads
// between samples, before the first and after the last, uneven and even
// spacing, and times far from zero.
import { TimeInterpolation } from "../../src/bspline/index.ts";

export interface InterpolationCase {
  times: number[];
  degree: number;
  reads: number[];
}

export interface GoldenInterpolation {
  times: number[];
  degree: number;
  usedDegree: number;
  reads: { time: number; weights: number[] }[];
}

const UNEVEN = [0.1, 0.113, 0.13, 0.141, 0.16, 0.2];
const UNEVEN_READS = [
  0.1,
  0.105,
  0.113,
  0.113 + 5e-15,
  0.12,
  0.125,
  0.1375,
  0.141,
  0.15,
  0.175,
  0.19,
  0.2,
  0.09,
  0.2 + 1e-12,
];
const EVEN = [0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1];

export const INTERPOLATION_CASES: InterpolationCase[] = [
  ...[0, 1, 2, 3].map((degree) => ({ times: UNEVEN, degree, reads: UNEVEN_READS })),
  { times: [0.5], degree: 3, reads: [0.5, 0.55, 0.7] },
  { times: [0, 0.1], degree: 2, reads: [0, 0.025, 0.1] },
  { times: [0, 0.04, 0.1], degree: 3, reads: [0.01, 0.04, 0.07] },
  ...[1, 3].map((degree) => ({ times: EVEN, degree, reads: [0.005, 0.055, 0.0999, 0.03] })),
  { times: [1000, 1000.25, 1000.5, 1001], degree: 2, reads: [1000.1, 1000.25, 1000.75] },
];

/** The weights the TypeScript code computes for every case. */
export function computeGoldenInterpolation(): GoldenInterpolation[] {
  return INTERPOLATION_CASES.map(({ times, degree, reads }) => {
    const interpolation = new TimeInterpolation(times.length);
    interpolation.prepare(times, times.length, degree);
    const weights = new Float64Array(times.length);
    return {
      times,
      degree,
      usedDegree: interpolation.usedDegree,
      reads: reads.map((time) => {
        interpolation.weights(time, weights);
        return { time, weights: [...weights] };
      }),
    };
  });
}

/** The interpolation golden file's text (what generate.ts writes). */
export function goldenInterpolationText(): string {
  const cases = computeGoldenInterpolation().map((item) => {
    const reads = item.reads.map((read) => `    ${JSON.stringify(read)}`).join(",\n");
    const head = `"times": ${JSON.stringify(item.times)}, "degree": ${item.degree}, "usedDegree": ${item.usedDegree}`;
    return `  { ${head}, "reads": [\n${reads}\n  ] }`;
  });
  return `{ "version": 1, "cases": [\n${cases.join(",\n")}\n] }\n`;
}

/** Used by the clients' test: the cases as lines "case DEGREE N t0 … tN−1" then "read T" (doubles as %.17g). */
export function interpolationCasesText(cases: readonly GoldenInterpolation[]): string {
  const lines: string[] = [];
  for (const item of cases) {
    lines.push(`case ${item.degree} ${item.times.length} ${item.times.map((t) => t.toPrecision(17)).join(" ")}`);
    for (const read of item.reads) lines.push(`read ${read.time.toPrecision(17)}`);
  }
  return `${lines.join("\n")}\n`;
}
