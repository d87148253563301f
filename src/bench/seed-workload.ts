// The talk's work, which `conflux bench seed` times in the driver's own process
// and the seed example's components run in enclaves. Each application owns one
// field on its own mesh of random 3-D points and, every step, smooths it a few
// sweeps over the mesh's k-nearest-neighbour graph, then relaxes it towards the
// field the other application sent. Everything is deterministic (seeded
// points, fixed order), so a single-process reference reproduces the coupled
// run bit for bit.

export interface SeedAppSettings {
  points: number;
  seed: number;
  sweeps: number;
  /** Neighbours per point in the smoothing graph. */
  neighbours: number;
  /** The field this application computes, and the one it receives. */
  owns: "temperature" | "flux";
  receives: "temperature" | "flux";
}

/** mulberry32: a small, fast, seedable generator; the same stream in every process. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform random points in the unit cube, structure-of-arrays (x[], y[], z[]). */
export function seedPoints(count: number, seed: number): Float64Array {
  const next = random(seed);
  const coordinates = new Float64Array(3 * count);
  for (let index = 0; index < 3 * count; index++) coordinates[index] = next();
  return coordinates;
}

/** The k nearest other points of every point (brute force, once, at start-up). */
export function neighbourGraph(coordinates: Float64Array, count: number, k: number): Int32Array {
  const graph = new Int32Array(count * k);
  const distances = new Float64Array(k);
  for (let point = 0; point < count; point++) {
    const x = coordinates[point] as number;
    const y = coordinates[count + point] as number;
    const z = coordinates[2 * count + point] as number;
    distances.fill(Number.POSITIVE_INFINITY);
    const row = point * k;
    for (let other = 0; other < count; other++) {
      if (other === point) continue;
      const dx = (coordinates[other] as number) - x;
      const dy = (coordinates[count + other] as number) - y;
      const dz = (coordinates[2 * count + other] as number) - z;
      const distance = dx * dx + dy * dy + dz * dz;
      if (distance >= (distances[k - 1] as number)) continue;
      let slot = k - 1;
      while (slot > 0 && (distances[slot - 1] as number) > distance) {
        distances[slot] = distances[slot - 1] as number;
        graph[row + slot] = graph[row + slot - 1] as number;
        slot--;
      }
      distances[slot] = distance;
      graph[row + slot] = other;
    }
  }
  return graph;
}

export function initialField(
  coordinates: Float64Array,
  count: number,
  field: "temperature" | "flux",
  values: Float64Array,
): void {
  for (let point = 0; point < count; point++) {
    const x = coordinates[point] as number;
    const y = coordinates[count + point] as number;
    const z = coordinates[2 * count + point] as number;
    values[point] = field === "temperature" ? 1 + x + 2 * y + 3 * z : Math.sin(3 * x) * Math.cos(2 * y) + z;
  }
}

/** One step: `sweeps` smoothing sweeps of `owned`, then relaxation towards `received`. */
export function seedStep(
  owned: Float64Array,
  received: Float64Array,
  graph: Int32Array,
  k: number,
  sweeps: number,
  scratch: Float64Array,
): void {
  const count = owned.length;
  for (let sweep = 0; sweep < sweeps; sweep++) {
    for (let point = 0; point < count; point++) {
      let sum = owned[point] as number;
      const row = point * k;
      for (let neighbour = 0; neighbour < k; neighbour++) sum += owned[graph[row + neighbour] as number] as number;
      scratch[point] = sum / (k + 1);
    }
    owned.set(scratch);
  }
  for (let point = 0; point < count; point++) {
    owned[point] = (owned[point] as number) + 0.1 * ((received[point] as number) - (owned[point] as number));
  }
}

export function settingsFrom(args: Record<string, unknown>, owns: "temperature" | "flux"): SeedAppSettings {
  const number = (key: string, fallback: number) => {
    const value = args[key];
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
      throw new Error(`args.${key} must be a whole number ≥ 0, got ${JSON.stringify(value)}`);
    }
    return value;
  };
  return {
    points: number("points", 3000),
    seed: number("seed", 1),
    sweeps: number("sweeps", 3),
    neighbours: number("neighbours", 6),
    owns,
    receives: owns === "temperature" ? "flux" : "temperature",
  };
}
