// enclave/ owns where a component runs: the Enclave interface, the launch, exits and output, one folder per backend.
// Callers reach a backend only through createEnclave; a backend must not import another backend or this folder's top.
export * from "./container/settings.ts";
export * from "./create-enclave.ts";
export * from "./enclave.ts";
export * from "./enclave-group.ts";
export * from "./environment-description.ts";
export * from "./kind.ts";
export * from "./launch.ts";
export * from "./output-capture.ts";
export * from "./requirements.ts";
export * from "./resources/cgroup-host.ts";
export * from "./resources/resource-limits.ts";
export * from "./vm/settings.ts";
