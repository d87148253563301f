// The environment a launcher gives a component (docs/wire-format.md,
// "Component protocol", version 1): one definition of each name, which the
// launcher sets and the SDK reads, as the C and Python clients read them.

/** The run directory the component joins. */
export const RUN_DIRECTORY_VARIABLE = "CONFLUX_RUN_DIR";
/** The component's name, so it can say who it is in its own messages. */
export const COMPONENT_NAME_VARIABLE = "CONFLUX_COMPONENT_NAME";
/** The component's parameters, as a JSON object. */
export const COMPONENT_ARGS_VARIABLE = "CONFLUX_COMPONENT_ARGS";
/** The wait strategy the driver asks components to use, as JSON {kind, spinNs, timeoutNs}. */
export const WAIT_VARIABLE = "CONFLUX_WAIT";
/**
 * How the component learns that its driver has died (docs/wire-format.md,
 * "Channel"): "pid" (watch the driver's pid from the channel's control line) or
 * "enclave" (the enclave ends the component with its driver, and the driver's
 * pid is not visible from inside: a pid namespace, a virtual machine).
 */
export const DRIVER_LIVENESS_VARIABLE = "CONFLUX_DRIVER_LIVENESS";

export type DriverLiveness = "pid" | "enclave";

/** In a VM guest: the registry name of the arena the component's new segments go in (docs/vm.md, "Arena"). */
export const ARENA_VARIABLE = "CONFLUX_ARENA";

/**
 * For a component that reads snapshots (the `to` of an asynchronous coupling): a JSON object from the name it
 * reads each by to the segment's registered name, e.g. {"atoms": "md.snapshot.atoms"}.
 */
export const SNAPSHOTS_VARIABLE = "CONFLUX_SNAPSHOTS";
