// The enclave kinds, from the least isolated to the most: a name every layer
// may use (plans, records, the CLI) without loading a backend.

export const ENCLAVE_KINDS = ["thread", "process", "container", "vm"] as const;

export type EnclaveKind = (typeof ENCLAVE_KINDS)[number];
