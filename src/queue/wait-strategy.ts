// How a side of a ring waits for the other. A blocking wake-up costs ~50 µs on
// these virtual CPUs while a spin costs ~0.2 µs, but a spinner steals the core
// its peer may need (a driver and two components are three spinners on two
// cores). So: spin while the peer is likely to answer, then back off.

export type WaitKind = "spin" | "hybrid" | "block" | "backoff";

export const WAIT_KINDS: readonly WaitKind[] = ["spin", "hybrid", "block", "backoff"];

export interface WaitStrategy {
  /**
   * spin: busy-wait, then busy-wait with sched_yield between checks (never sleeps);
   * hybrid (default): busy-wait for `spinNs`, then sleep on a futex;
   * block: sleep on a futex at once;
   * backoff: busy-wait for `spinNs`, then poll with sleeps growing from 10 µs to
   * 1 ms — for a side whose peer cannot wake it (a VM guest: futexes do not
   * cross the VM boundary), so a long wait does not hold a CPU.
   */
  kind: WaitKind;
  /** How long to busy-wait before backing off. */
  spinNs: number;
  /** Every wait gives up after this long (a timeout error names the peer). */
  timeoutNs: number;
}

export const DEFAULT_WAIT: Readonly<WaitStrategy> = {
  kind: "hybrid",
  // 1 ms: measured on the seed demonstration (two components, a driver, two
  // cores), a 1 ms window beat 50 µs by a fifth in iteration p50, because an
  // idle component still spins when its next step comes and needs no wake-up.
  spinNs: 1_000_000,
  timeoutNs: 30e9,
};

export function waitStrategy(overrides: Partial<WaitStrategy> = {}): WaitStrategy {
  const strategy = { ...DEFAULT_WAIT, ...overrides };
  if (!WAIT_KINDS.includes(strategy.kind)) {
    throw new RangeError(`wait strategy "${String(strategy.kind)}" is not one of ${WAIT_KINDS.join(", ")}`);
  }
  if (!(strategy.spinNs >= 0) || !(strategy.timeoutNs > 0)) {
    throw new RangeError(
      `wait strategy needs spinNs ≥ 0 and timeoutNs > 0 (got ${strategy.spinNs}, ${strategy.timeoutNs})`,
    );
  }
  return strategy;
}
