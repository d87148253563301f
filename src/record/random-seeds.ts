// The random seeds of a run, gathered in one place so a reader sees at a
// glance what fixes the run's random streams: component parameters named seed
// or seeds (also rng_seed, mesh-seed, …) and environment variables whose name
// holds SEED (CONFLUX_SEED, PYTHONHASHSEED, …) as each component sees them.
import type { Composition } from "../compose/load.ts";

export interface RandomSeed {
  component: string;
  /** args.<name> or env <NAME>. */
  source: string;
  value: unknown;
}

const SEED_PARAMETER = /(^|[_-])seeds?$/i;
const SEED_VARIABLE = /SEED/i;

/** `inherited` is the environment components inherit from the driver (the composition's env overrides it). */
export function randomSeeds(
  composition: Composition,
  inherited: Readonly<Record<string, string | undefined>> = process.env,
): RandomSeed[] {
  const seeds: RandomSeed[] = [];
  for (const [component, spec] of Object.entries(composition.components)) {
    for (const [name, value] of Object.entries(spec.args)) {
      if (SEED_PARAMETER.test(name)) seeds.push({ component, source: `args.${name}`, value });
    }
    const env: Record<string, string | undefined> = { ...inherited, ...spec.env };
    for (const name of Object.keys(env).sort()) {
      const value = env[name];
      if (value !== undefined && SEED_VARIABLE.test(name)) seeds.push({ component, source: `env ${name}`, value });
    }
  }
  return seeds;
}
