// meshfile/ reads meshes from files (CSV, VTU, legacy VTK, Gmsh) and writes
// them with their fields as VTU series; other layers import this file only.

export * from "./declared-geometry.ts";
export * from "./mesh-file-error.ts";
export * from "./point-mesh.ts";
export * from "./pvd-series.ts";
export * from "./read-mesh-file.ts";
export * from "./vtu-write.ts";
