export * from "../wire/segment-header.ts";
export * from "./reaper.ts";
export * from "./registry.ts";
export * from "./run.ts";
export * from "./run-directory.ts";
export * from "./segment.ts";
