export * from "./component-launch.ts";
export * from "./create-enclave.ts";
export * from "./enclave.ts";
export * from "./environment-description.ts";
export * from "./output-capture.ts";
export * from "./process-enclave.ts";
export * from "./requirements.ts";
export * from "./thread-enclave.ts";
