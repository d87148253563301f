export * from "./json-schema.ts";
export * from "./load.ts";
export * from "./problem.ts";
export * from "./schema.ts";
