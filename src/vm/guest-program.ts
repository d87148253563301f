// C components for a guest, linked statically with the C client and its arena
// part (clients/c/conflux_ivshmem.c): a static program needs nothing else in
// the image. Cached by the hash of every source, so a rebuilt program means a
// changed source.
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { imageCacheDirectory } from "./guest-image.ts";

const C_CLIENT = fileURLToPath(new URL("../../clients/c/", import.meta.url));
/** -ffp-contract=off: no fused multiply-adds, so results match the TypeScript reference bit for bit. */
const FLAGS = ["-static", "-std=c99", "-Wall", "-Wextra", "-O2", "-ffp-contract=off"];

/** Builds (or finds) the static program made of `sources` (absolute paths) and the C client; returns its path. */
export function guestProgram(name: string, sources: readonly string[], cache = imageCacheDirectory()): string {
  const client = ["conflux.c", "conflux.h", "conflux_ivshmem.c", "conflux_ivshmem.h"].map((file) =>
    join(C_CLIENT, file),
  );
  const hash = createHash("sha256").update(FLAGS.join(" "));
  for (const file of [...sources, ...client]) hash.update(`\0${basename(file)}\0`).update(readFileSync(file));
  const directory = join(cache, "programs");
  const binary = join(directory, `${name}-${hash.digest("hex").slice(0, 16)}`);
  if (existsSync(binary)) return binary;
  mkdirSync(directory, { recursive: true });
  const partial = `${binary}.${randomBytes(4).toString("hex")}`;
  const build = spawnSync(
    "cc",
    [
      ...FLAGS,
      `-I${C_CLIENT}`,
      ...sources,
      join(C_CLIENT, "conflux.c"),
      join(C_CLIENT, "conflux_ivshmem.c"),
      "-lm",
      "-o",
      partial,
    ],
    { encoding: "utf8", timeout: 120_000 },
  );
  if (build.status !== 0) {
    rmSync(partial, { force: true });
    throw new Error(
      `cannot build ${name} for a guest (cc -static): ${(build.stderr || build.error?.message || "").trim()}`,
    );
  }
  renameSync(partial, binary);
  return binary;
}
