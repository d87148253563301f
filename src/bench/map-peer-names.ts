// The peers `conflux bench map --peer` can measure beside ours, apart from the
// benchmark itself so that the command's options are declared without loading it.
export type MapPeerName = "scipy" | "precice";
export const MAP_PEERS: readonly MapPeerName[] = ["scipy", "precice"];
