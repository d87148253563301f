// The one error reading or writing a mesh file throws: its message names the
// file, the place in it (line, element, section) and the fix, so a command can
// show it unchanged.

export class MeshFileError extends Error {
  override name = "MeshFileError";
}
