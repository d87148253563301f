// `conflux stack build|ls|import|export|rm`: thin, the stack and bundle layers do the work.
import type { Command } from "commander";
import { listStacks, removeStack, stacksDirectory } from "../stack/stack-store.ts";
import { ExitCode, UsageError } from "./exit-codes.ts";

/** Runs `work`; a bundle's error (a bad image, a store it cannot write) becomes a usage error naming `command`. */
async function bundleErrorsAsUsage(command: string, work: () => Promise<void>): Promise<void> {
  const { BundleError } = await import("../bundle/bundle-format.ts");
  try {
    await work();
  } catch (error) {
    if (error instanceof BundleError) throw new UsageError(`${command}: ${error.message}`);
    throw error;
  }
}

export function registerStack(program: Command): void {
  const stack = program
    .command("stack")
    .description(
      `software stacks: root filesystems built from a spec (Debian release, packages, files), stored by content hash in ${stacksDirectory()} ($CONFLUX_STACKS)`,
    );

  stack
    .command("build")
    .argument("<spec>", "the stack spec, a YAML file (see docs/containers.md)")
    .description("build the stack a spec describes, or reuse the stored one with the same content hash")
    .option("--quiet", "print only the result")
    .action(async (spec: string, options: { quiet?: boolean }) => {
      const [{ debootstrapMissing }, { buildStack }, { StackSpecError }, { createStackBuildProgress }] =
        await Promise.all([
          import("../stack/debootstrap.ts"),
          import("../stack/stack-build.ts"),
          import("../stack/stack-spec.ts"),
          import("./stack-build-progress.ts"),
        ]);
      const started = Date.now();
      const progress = options.quiet ? undefined : createStackBuildProgress(`stack ${spec}`);
      try {
        const result = await buildStack(spec, {
          ...(progress === undefined ? {} : { onLine: (line: string) => progress.line(line) }),
        });
        progress?.finish();
        const { manifest } = result;
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        const how = result.cached
          ? "already built: reused, nothing to do"
          : `built in ${seconds} s${result.baseCached ? " (Debian base reused; only files copied)" : ""}`;
        process.stdout.write(
          `stack ${manifest.name} ${manifest.hash.slice(0, 12)}: ${how}\n  Debian ${manifest.release}, ${manifest.installed.length} packages, ${manifest.files.length} file(s) copied in\n  ${result.directory}/rootfs\n`,
        );
      } catch (error) {
        progress?.finish();
        if (error instanceof StackSpecError) throw new UsageError(error.message);
        if (debootstrapMissing() !== undefined) {
          process.stderr.write(`conflux stack build: ${(error as Error).message}\n`);
          process.exitCode = ExitCode.missingRequirement;
          return;
        }
        throw error;
      }
    });

  stack
    .command("ls")
    .description("list the stored stacks: names, hash, release, packages")
    .option("--json", "print the manifests as JSON")
    .action((options: { json?: boolean }) => {
      const stacks = listStacks();
      if (options.json) {
        process.stdout.write(`${JSON.stringify(stacks, null, 2)}\n`);
        return;
      }
      if (stacks.length === 0) {
        process.stdout.write(`no stacks in ${stacksDirectory()}; build one with conflux stack build SPEC\n`);
        return;
      }
      for (const { manifest, names } of stacks) {
        const built = new Date(manifest.builtUnixMs).toISOString().slice(0, 16).replace("T", " ");
        const label = names.length === 0 ? "(no name)" : names.join(", ");
        if (manifest.image !== undefined) {
          process.stdout.write(
            `${label}  ${manifest.hash.slice(0, 12)}  image ${manifest.image.reference ?? manifest.image.source} (${manifest.image.format})  ${manifest.release || "no os-release"}  ${manifest.installed.length} Debian package(s)  imported ${built}\n`,
          );
          continue;
        }
        process.stdout.write(
          `${label}  ${manifest.hash.slice(0, 12)}  Debian ${manifest.release}  ${manifest.packages.join(" ") || "(minbase only)"}  ${manifest.files.length} file(s)  built ${built}\n`,
        );
      }
    });

  stack
    .command("import")
    .argument(
      "<image>",
      "an OCI image layout directory, an oci-archive or a docker-archive tar (podman save, skopeo copy, buildah push)",
    )
    .description(
      "make a stack of an image you already have: its layers unpacked into the store, named for compositions",
    )
    .requiredOption("--name <name>", "the stack's name, as a composition's stack: gives it")
    .option("--ref <tag>", "which image, when the layout or archive holds several")
    .action(async (image: string, options: { name: string; ref?: string }) => {
      const { importStack } = await import("../bundle/stack-import.ts");
      await bundleErrorsAsUsage(`conflux stack import ${image}`, async () => {
        const started = Date.now();
        const result = await importStack(image, {
          name: options.name,
          ...(options.ref === undefined ? {} : { reference: options.ref }),
        });
        const { manifest } = result;
        const how = result.imported
          ? `imported in ${((Date.now() - started) / 1000).toFixed(1)} s`
          : "already stored: named";
        process.stdout.write(
          `stack ${options.name} ${manifest.hash.slice(0, 12)}: ${how}\n  image ${manifest.image?.configDigest} (${manifest.image?.format}), ${manifest.release || "no os-release"}, ${manifest.installed.length} Debian package(s)\n  ${result.directory}/rootfs\n`,
        );
      });
    });

  stack
    .command("export")
    .argument("<name>", "a stored stack's name")
    .description("write a stack as an OCI image that Podman runs as it is (podman run oci-archive:FILE …)")
    .requiredOption("-o, --out <path>", "an oci-archive when it ends in .tar, else a new image layout directory")
    .action(async (name: string, options: { out: string }) => {
      const { exportStack } = await import("../bundle/stack-export.ts");
      await bundleErrorsAsUsage(`conflux stack export ${name}`, async () => {
        const exported = await exportStack(name, options.out);
        process.stdout.write(`stack ${name}: ${exported.format} ${exported.path}, image ${exported.imageDigest}\n`);
      });
    });

  stack
    .command("rm")
    .argument("<name-or-hash>", "a stack's name, its hash, or the first characters of its hash")
    .description("remove a stored stack, the names pointing at it, and its Debian base when no other stack uses it")
    .action((nameOrHash: string) => {
      try {
        const removed = removeStack(nameOrHash);
        const names = removed.names.length === 0 ? "" : ` (${removed.names.join(", ")})`;
        process.stdout.write(`removed stack ${removed.manifest.hash.slice(0, 12)}${names}\n`);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
    });
}
