// conflux pack, unpack and verify: a composition and everything it runs on, as one archive (docs/bundles.md).
import { resolve } from "node:path";
import type { Command } from "commander";
import { ExitCode } from "./exit-codes.ts";

/** Bad input ends with its message and exit 2; anything else is left to main's handler. */
export async function reportingBundleErrors(command: string, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    const [{ BundleError }, { CompositionError }] = await Promise.all([
      import("../bundle/index.ts"),
      import("../compose/index.ts"),
    ]);
    if (!(error instanceof BundleError) && !(error instanceof CompositionError)) throw error;
    process.stderr.write(`conflux ${command}: ${error.message}\n`);
    process.exitCode = ExitCode.usage;
  }
}

export function registerBundle(program: Command): void {
  program
    .command("pack")
    .description(
      "pack a composition into one archive: the composition, every component's files, the client libraries they use and every stack they name (as OCI image layers), with the SHA-256 of each",
    )
    .argument("<file>", "the composition file (YAML)")
    .option("-o, --out <file>", "the bundle to write (default: <composition name>.cfx)")
    .option("--record <run-dir>", "carry this completed run's record, which `conflux repro verify app.cfx` replays")
    .action((file: string, options: { out?: string; record?: string }) =>
      reportingBundleErrors("pack", async () => {
        const [{ packBundle }, { loadComposition }] = await Promise.all([
          import("../bundle/index.ts"),
          import("../compose/index.ts"),
        ]);
        const out = resolve(options.out ?? `${loadComposition(file, { checkFiles: false }).name}.cfx`);
        const packed = await packBundle(file, out, options.record === undefined ? {} : { record: options.record });
        process.stdout.write(
          `${packed.file}: ${packed.manifest.files.length + 1} entries, ${packed.manifest.stacks.length} stack(s), ${packed.bytes} bytes, sha256 ${packed.sha256}\n`,
        );
      }),
    );
  program
    .command("unpack")
    .description("unpack a bundle into a directory, checking every file against its hash")
    .argument("<bundle>", "a file `conflux pack` wrote")
    .option("-C, --directory <dir>", "a new or empty directory to unpack into", ".")
    .action((bundle: string, options: { directory: string }) =>
      reportingBundleErrors("unpack", async () => {
        const { unpackBundle } = await import("../bundle/index.ts");
        const unpacked = await unpackBundle(bundle, resolve(options.directory));
        process.stdout.write(
          `${unpacked.directory}: ${unpacked.manifest.files.length + 1} files; composition ${unpacked.composition}\n`,
        );
      }),
    );
  program
    .command("verify")
    .description("check every file of a bundle against the SHA-256 its manifest lists")
    .argument("<bundle>", "a file `conflux pack` wrote")
    .action((bundle: string) =>
      reportingBundleErrors("verify", async () => {
        const { verifyBundle } = await import("../bundle/index.ts");
        const manifest = await verifyBundle(bundle);
        process.stdout.write(`${bundle}: every file (${manifest.files.length}) and the manifest match their hashes\n`);
      }),
    );
}
