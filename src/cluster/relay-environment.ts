// What the driver's node tells a relay (relay.ts) in its environment: where
// the component's agent listens, "host:port", and the component's own launch
// (agent.ts's RemoteLaunch, as JSON).
export const AGENT_VARIABLE = "CONFLUX_AGENT";
export const REMOTE_LAUNCH_VARIABLE = "CONFLUX_REMOTE_LAUNCH";
