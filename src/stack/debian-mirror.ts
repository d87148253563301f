// Which Debian mirror debootstrap downloads from: the one this machine's apt
// already uses (so a machine that reaches only its configured mirror can build
// stacks), unless CONFLUX_DEBIAN_MIRROR names another.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const MIRROR_VARIABLE = "CONFLUX_DEBIAN_MIRROR";
export const DEFAULT_MIRROR = "http://deb.debian.org/debian";

interface Source {
  uri: string;
  suites: string[];
}

/** The first archive (not security, not a third party) in apt's sources. */
export function debianMirror(aptDirectory = "/etc/apt"): string {
  const fromEnvironment = process.env[MIRROR_VARIABLE];
  if (fromEnvironment !== undefined && fromEnvironment !== "") return fromEnvironment.replace(/\/$/, "");
  const sources = [...oneLineSources(join(aptDirectory, "sources.list"))];
  let names: string[] = [];
  try {
    names = readdirSync(join(aptDirectory, "sources.list.d")).sort();
  } catch {
    // no such directory
  }
  for (const name of names) {
    const path = join(aptDirectory, "sources.list.d", name);
    if (name.endsWith(".sources")) sources.push(...deb822Sources(path));
    else if (name.endsWith(".list")) sources.push(...oneLineSources(path));
  }
  const archive = sources.find(
    (source) =>
      /\/debian\/?$/.test(source.uri) && source.suites.some((suite) => !/-(security|updates|backports)$/.test(suite)),
  );
  return (archive?.uri ?? DEFAULT_MIRROR).replace(/\/$/, "");
}

function read(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

/** `deb [options] uri suite component…` lines. */
function oneLineSources(path: string): Source[] {
  const sources: Source[] = [];
  for (const raw of read(path).split("\n")) {
    const line = raw.replace(/#.*/, "").trim();
    const match = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) sources.push({ uri: match[1], suites: [match[2]] });
  }
  return sources;
}

/** deb822 stanzas: `Types: deb`, `URIs: …`, `Suites: …`, separated by blank lines. */
function deb822Sources(path: string): Source[] {
  const sources: Source[] = [];
  for (const stanza of read(path).split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of stanza.split("\n")) {
      const match = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (match?.[1] !== undefined) fields.set(match[1].toLowerCase(), match[2] ?? "");
    }
    if (!(fields.get("types") ?? "").split(/\s+/).includes("deb")) continue;
    if ((fields.get("enabled") ?? "yes").toLowerCase() === "no") continue;
    const suites = (fields.get("suites") ?? "").split(/\s+/).filter(Boolean);
    for (const uri of (fields.get("uris") ?? "").split(/\s+/).filter(Boolean)) sources.push({ uri, suites });
  }
  return sources;
}
