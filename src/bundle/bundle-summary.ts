// What `conflux inspect app.cfx` prints: the composition, the files by role
// with their sizes, and each stack with its image digest, layers and packages.
import type { BundleManifest } from "./bundle-format.ts";

export function bundleSummary(file: string, manifest: BundleManifest, bytes: number): string {
  const lines = [
    `bundle ${file}: ${manifest.name}, format ${manifest.format} version ${manifest.version}, packed by conflux ${manifest.conflux.version}, ${size(bytes)}`,
    `composition: ${manifest.composition}`,
  ];
  for (const role of ["composition", "component file", "client library", "oci layout", "oci blob"] as const) {
    const files = manifest.files.filter((listed) => listed.role === role);
    if (files.length === 0) continue;
    const total = files.reduce((sum, listed) => sum + listed.bytes, 0);
    lines.push(`${role === "client library" ? "client libraries" : `${role}s`}: ${files.length}, ${size(total)}`);
    if (role === "oci blob") continue;
    for (const listed of files) {
      lines.push(
        `  ${listed.path}  ${size(listed.bytes)}${listed.component === undefined ? "" : `  (${listed.component})`}  sha256 ${listed.sha256.slice(0, 16)}`,
      );
    }
  }
  const blobBytes = new Map(manifest.files.map((listed) => [`sha256:${listed.sha256}`, listed.bytes]));
  if (manifest.stacks.length === 0) lines.push("stacks: none (every component runs on the host's)");
  for (const stack of manifest.stacks) {
    const { release, architecture, packages, installed } = stack.stack;
    lines.push(
      `stack ${stack.name}: image ${stack.imageDigest}, Debian ${release} ${architecture}, stack hash ${stack.stack.hash.slice(0, 16)}`,
    );
    for (const layer of stack.layers) lines.push(`  layer ${layer}  ${size(blobBytes.get(layer) ?? 0)}`);
    lines.push(`  packages asked for: ${packages.length === 0 ? "none" : packages.join(" ")}`);
    lines.push(
      `  installed (${installed.length}): ${installed.map((item) => `${item.package}=${item.version}`).join(" ")}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
