// `conflux stack build|ls|rm`: thin, the stack layer does the work.
import type { Command } from "commander";
import { listStacks, removeStack, stacksDirectory } from "../stack/stack-store.ts";
import { ExitCode, UsageError } from "./exit-codes.ts";

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
        process.stdout.write(
          `${label}  ${manifest.hash.slice(0, 12)}  Debian ${manifest.release}  ${manifest.packages.join(" ") || "(minbase only)"}  ${manifest.files.length} file(s)  built ${built}\n`,
        );
      }
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
