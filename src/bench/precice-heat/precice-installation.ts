// Where preCICE is installed, for the benchmarks that build participants
// against it; when it is not, they skip their preCICE measurements with
// NO_PRECICE as the reason.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface PreciceInstallation {
  prefix: string;
  version: string;
}

/**
 * preCICE's install prefix: $PRECICE_ROOT when it is set (and then that one
 * alone, so a run can be pointed at one installation, or at none), else the
 * one pkg-config knows, else a precice* directory under /opt.
 */
export function findPrecice(): PreciceInstallation | undefined {
  const chosen = process.env.PRECICE_ROOT;
  if (chosen !== undefined && chosen !== "") return installationAt(chosen);
  const candidates: string[] = [];
  const pkgConfig = spawnSync("pkg-config", ["--variable=prefix", "libprecice"], { encoding: "utf8" });
  if (pkgConfig.status === 0 && pkgConfig.stdout.trim() !== "") candidates.push(pkgConfig.stdout.trim());
  try {
    const optional = readdirSync("/opt")
      .filter((name) => /^precice(-[0-9.]+)?$/.test(name))
      .sort()
      .reverse();
    candidates.push(...optional.map((name) => join("/opt", name)));
  } catch {
    // no /opt
  }
  for (const prefix of candidates) {
    const installation = installationAt(prefix);
    if (installation !== undefined) return installation;
  }
  return undefined;
}

/** The installation under `prefix`: its headers and library, and the version its header names. */
function installationAt(prefix: string): PreciceInstallation | undefined {
  const header = join(prefix, "include/precice/Version.h");
  if (!existsSync(join(prefix, "include/precice/preciceC.h")) || !existsSync(header)) return undefined;
  if (!existsSync(join(prefix, "lib/libprecice.so"))) return undefined;
  const version = /PRECICE_VERSION\s+"([^"]+)"/.exec(readFileSync(header, "utf8"))?.[1] ?? "unknown";
  return { prefix, version };
}

export const NO_PRECICE =
  "preCICE is not installed: set PRECICE_ROOT to its install prefix, or install it where pkg-config finds libprecice";
