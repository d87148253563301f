export * from "./component.ts";
export * from "./link.ts";
export * from "./mesh-layout.ts";
export * from "./protocol.ts";
export * from "./shared-mesh.ts";
