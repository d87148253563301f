// The packages installed in a Debian tree, read from dpkg's own database, so a
// stack's manifest (and the run record) says exactly which versions it holds.
import { readFileSync } from "node:fs";
import { join } from "node:path";

export function installedPackages(rootfs: string): { package: string; version: string }[] {
  let text: string;
  try {
    text = readFileSync(join(rootfs, "var/lib/dpkg/status"), "utf8");
  } catch {
    return [];
  }
  const installed: { package: string; version: string }[] = [];
  for (const stanza of text.split(/\n\n+/)) {
    const field = (name: string) => new RegExp(`^${name}: (.*)$`, "m").exec(stanza)?.[1]?.trim();
    const name = field("Package");
    const version = field("Version");
    if (name !== undefined && version !== undefined && field("Status")?.endsWith(" installed")) {
      installed.push({ package: name, version });
    }
  }
  return installed.sort((a, b) => (a.package < b.package ? -1 : a.package > b.package ? 1 : 0));
}
