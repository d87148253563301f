// component/ owns the SDK a TypeScript component calls: join its run, attach the driver's channel, share meshes, step.
// It must not reach the launcher, the driver or a backend: it stands on wire/, shm/ and queue/ alone.
export * from "../shm/shared-mesh.ts";
export * from "../wire/environment.ts";
export * from "../wire/mesh.ts";
export * from "../wire/protocol.ts";
export * from "./component.ts";
