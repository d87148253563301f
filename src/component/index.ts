export * from "../wire/mesh.ts";
export * from "../wire/protocol.ts";
export * from "./component.ts";
export * from "./link.ts";
export * from "./shared-mesh.ts";
