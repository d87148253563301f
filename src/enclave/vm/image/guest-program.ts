// C components for a guest, linked statically with the C client (which creates
// segments in the VM's arena when CONFLUX_ARENA is set): a static program
// needs nothing else in the image. Cached by the hash of every source, so a rebuilt program means a
// changed source.
import { join } from "node:path";
import { packagePath } from "../../../platform/package-root.ts";
import { staticProgram } from "../../../platform/static-program.ts";
import { imageCacheDirectory } from "./guest-image.ts";

const C_CLIENT = packagePath("clients/c/");
/** -ffp-contract=off: no fused multiply-adds, so results match the TypeScript reference bit for bit. */
const FLAGS = ["-std=c99", "-Wall", "-Wextra", "-O2", "-ffp-contract=off"];

/** Builds (or finds) the static program made of `sources` (absolute paths) and the C client; returns its path. */
export function guestProgram(name: string, sources: readonly string[], cache = imageCacheDirectory()): string {
  return staticProgram({
    name,
    purpose: `${name} for a guest`,
    sources: [...sources, join(C_CLIENT, "conflux.c")],
    headers: [join(C_CLIENT, "conflux.h")],
    flags: [...FLAGS, `-I${C_CLIENT}`],
    libraries: ["-lm"],
    directory: join(cache, "programs"),
  });
}
