// Comparing one output field of a replay with the recorded one: bitwise
// unless the composition declares a tolerance for it — an absolute bound on
// |a - b|, a relative bound on |a - b| / max(|a|, |b|), or a distance in units
// in the last place. Two NaNs match each other under a tolerance (and
// bitwise when their bits agree); a NaN never matches a number.
import type { Tolerance } from "../../compose/schema.ts";
import type { FieldComparison, ValueDifference } from "../../record/run-record.ts";

export function toleranceRule(tolerance: Tolerance | undefined): string {
  if (tolerance?.absolute !== undefined) return `absolute ${tolerance.absolute}`;
  if (tolerance?.relative !== undefined) return `relative ${tolerance.relative}`;
  if (tolerance?.ulps !== undefined) return `ulps ${tolerance.ulps}`;
  return "bitwise";
}

export function compareField(
  name: string,
  recorded: Float64Array,
  replayed: Float64Array,
  tolerance?: Tolerance,
): FieldComparison {
  const rule = toleranceRule(tolerance);
  const base = { name, rule, values: recorded.length };
  if (recorded.length !== replayed.length) {
    return {
      ...base,
      matches: false,
      identical: false,
      differing: Math.max(recorded.length, replayed.length),
      changed: Math.max(recorded.length, replayed.length),
      problem: `${recorded.length} values recorded, ${replayed.length} in the replay`,
    };
  }
  const recordedBits = new BigInt64Array(recorded.buffer, recorded.byteOffset, recorded.length);
  const replayedBits = new BigInt64Array(replayed.buffer, replayed.byteOffset, replayed.length);
  const measure = (difference: ValueDifference) =>
    tolerance?.relative !== undefined
      ? difference.relative
      : tolerance?.ulps !== undefined
        ? difference.ulps
        : difference.absolute;
  const bound = tolerance?.absolute ?? tolerance?.relative ?? tolerance?.ulps;
  let differing = 0;
  let changed = 0;
  let largest: ValueDifference | undefined;
  for (let index = 0; index < recorded.length; index++) {
    if (recordedBits[index] === replayedBits[index]) continue;
    changed++;
    const difference = differenceAt(index, recorded, replayed, recordedBits, replayedBits);
    const size = measure(difference);
    if (bound === undefined || !(size <= bound)) differing++;
    if (largest === undefined || size > measure(largest)) largest = difference;
  }
  return {
    ...base,
    matches: differing === 0,
    identical: changed === 0,
    differing,
    changed,
    ...(largest === undefined ? {} : { largest }),
  };
}

function differenceAt(
  index: number,
  recorded: Float64Array,
  replayed: Float64Array,
  recordedBits: BigInt64Array,
  replayedBits: BigInt64Array,
): ValueDifference {
  const a = recorded[index] as number;
  const b = replayed[index] as number;
  const bothNaN = Number.isNaN(a) && Number.isNaN(b);
  const absolute = bothNaN ? 0 : a === b ? 0 : Math.abs(a - b);
  const scale = Math.max(Math.abs(a), Math.abs(b));
  const relative =
    absolute === 0 ? 0 : Number.isFinite(absolute) && scale > 0 ? absolute / scale : Number.POSITIVE_INFINITY;
  let ulps: number;
  if (bothNaN) ulps = 0;
  else if (Number.isNaN(a) || Number.isNaN(b)) ulps = Number.POSITIVE_INFINITY;
  else ulps = Number(distance(ordered(recordedBits[index] as bigint), ordered(replayedBits[index] as bigint)));
  return {
    index,
    recorded: a,
    replayed: b,
    absolute: Number.isNaN(absolute) ? Number.POSITIVE_INFINITY : absolute,
    relative,
    ulps,
  };
}

const SIGN = -(2n ** 63n);

/** Doubles' bit patterns mapped onto integers in the doubles' own order (-0 and +0 both at 0). */
function ordered(bits: bigint): bigint {
  return bits < 0n ? SIGN - bits : bits;
}

function distance(a: bigint, b: bigint): bigint {
  return a > b ? a - b : b - a;
}
