// Which component a truncated segment of the run is blamed on, and in what
// words. A segment's name says whose it is: "<component>.channel" is the
// channel the driver made for that component, "<component>.mesh.<mesh>" a mesh
// the component shares. Who shrank a file cannot be known from here; the
// segment's component is the one that has it besides the driver. A segment of
// no component (the registry) is blamed on nobody: the error names the segment.
import { formatBytes, type Truncation } from "../shm/truncation.ts";

export interface TruncationBlame {
  component: string;
  reason: string;
}

function size(truncation: Truncation): string {
  return `${formatBytes(truncation.heldBytes)} of ${formatBytes(truncation.bytes)} bytes`;
}

/** The component whose segment it is, and the reason for its failure; undefined for a segment of no component. */
export function blameTruncation(truncation: Truncation, components: readonly string[]): TruncationBlame | undefined {
  // A rank's segments carry its ranked name, "<component>@<rank>.".
  const owner = components.find(
    (component) => truncation.name.startsWith(`${component}.`) || truncation.name.startsWith(`${component}@`),
  );
  if (owner === undefined) return undefined;
  return { component: owner, reason: `truncated segment "${truncation.name}" (${size(truncation)})` };
}

/** The error for a truncated segment of no component, e.g. the registry: it names the segment, and no culprit. */
export function orphanTruncation(truncation: Truncation, iteration: number, phase: string): Error {
  const when = iteration < 0 ? `during ${phase}` : `in iteration ${iteration}, phase "${phase}"`;
  return new Error(
    `the run's segment "${truncation.name}" (${truncation.path}) was truncated by a process of the run (${size(truncation)} left) ${when}; which component did it cannot be told`,
  );
}

/** The error for a registry whose geometry a process of the run overwrote: it names the registry, and no culprit. */
export function overwrittenRegistry(
  path: string,
  damage: string,
  iteration: number,
  phase: string,
  cause: Error,
): Error {
  const when = iteration < 0 ? `during ${phase}` : `in iteration ${iteration}, phase "${phase}"`;
  return new Error(
    `the run's segment "registry" (${path}) was overwritten by a process of the run ${when}: ${damage}; which component did it cannot be told. What failed next: ${cause.message}`,
  );
}
