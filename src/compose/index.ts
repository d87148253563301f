// compose/ owns the composition file: its schema, loading and checks, every problem with its place in the file.
// It must not run anything nor know the driver's plan: the runner turns a composition into one.
export * from "./json-schema.ts";
export * from "./load.ts";
export * from "./problem.ts";
export * from "./schema.ts";
