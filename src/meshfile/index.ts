// meshfile/ owns mesh files: meshes read from CSV, VTU, legacy VTK and Gmsh, and written with their fields as VTU series.
// It must not know compositions or runs: it turns files into point meshes and back; other layers import this file only.

export * from "./declared-geometry.ts";
export * from "./mesh-file-error.ts";
export * from "./point-mesh.ts";
export * from "./pvd-series.ts";
export * from "./read-mesh-file.ts";
export * from "./vtu-write.ts";
