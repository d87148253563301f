// Which entry names a bundle or a layer may hold: relative, normalised paths
// that stay inside the directory they are unpacked into. `../x`, `/etc/x` or
// `a//b` could write outside it, or name one file two ways.

/** Why `name` is no safe entry path, or undefined when it is one. */
export function unsafeEntryPath(name: string): string | undefined {
  const path = name.replace(/\/$/, "");
  if (path === "") return "an empty path";
  if (path.startsWith("/")) return "an absolute path";
  if (path.includes("\0")) return "a path with a NUL byte";
  for (const part of path.split("/")) {
    if (part === "..") return "a path that climbs out with ..";
    if (part === "" || part === ".") return "a path that is not normalised";
  }
  return undefined;
}
