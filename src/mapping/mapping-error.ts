// The one error the mapping layer throws for bad input (meshes, options, CSV
// text): its message names the place (which mesh, which point, which option)
// and the fix, so a caller can show it to a user unchanged.

export class MappingError extends Error {
  override name = "MappingError";
}
