// Which component a truncated segment of the run is blamed on, and in what
// words. A segment's name says whose it is: "<component>.channel" is the
// channel the driver made for that component, "<component>.mesh.<mesh>" a mesh
// the component shares. Who shrank a file cannot be known from here; the
// segment's component is the one that has it besides the driver. A segment of
// no component (the registry) is reported with the component whose phase it was.
import { formatBytes, type Truncation } from "../shm/truncation.ts";

export interface TruncationBlame {
  component: string;
  reason: string;
}

export function blameTruncation(
  truncation: Truncation,
  components: readonly string[],
  phaseComponent: string | undefined,
): TruncationBlame | undefined {
  const size = `${formatBytes(truncation.heldBytes)} of ${formatBytes(truncation.bytes)} bytes`;
  const owner = components.find((component) => truncation.name.startsWith(`${component}.`));
  if (owner !== undefined) return { component: owner, reason: `truncated segment "${truncation.name}" (${size})` };
  const component = phaseComponent ?? components[0];
  if (component === undefined) return undefined;
  return {
    component,
    reason: `ran while the run's segment "${truncation.name}" was truncated (${size}) by a process of the run`,
  };
}
