// shm/ owns shared memory: segments, a run's directory and registry, a VM's arena, mesh segments, cleanup, the reaper.
// It must not know channels, components or enclaves; it reads and writes bytes only as wire/ lays them out.
export * from "../wire/segment-header.ts";
export * from "./reaper.ts";
export * from "./registry.ts";
export * from "./run.ts";
export * from "./run-directory.ts";
export * from "./segment.ts";
