// `conflux vm build|ls`: VM images (kernel + initramfs) for components, stored
// by content hash like container stacks; thin, the vm layer does the work.
import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import type { Command } from "commander";
import { imageCacheDirectory, storedImages } from "../enclave/vm/image/guest-image.ts";
import { UsageError } from "./exit-codes.ts";

const MODULE = /\.(ts|mts|js|mjs)$/;

export function registerVmImage(program: Command): void {
  const vm = program
    .command("vm")
    .description(
      `VM images: a guest kernel and an initramfs per component, stored by content hash in ${imageCacheDirectory()} ($CONFLUX_VM_CACHE)`,
    );

  vm.command("build")
    .argument("<component>", "a TypeScript or JavaScript module, or an executable (a static one needs nothing else)")
    .option("--file <path...>", "more host files the component reads")
    .description("build the image a vm enclave boots for this component, or find the stored one with the same content")
    .action(async (component: string, options: { file?: string[] }) => {
      const [{ componentImage, IMAGE_STAGES }, { createTaskProgress }] = await Promise.all([
        import("../enclave/vm/image/component-image.ts"),
        import("./task-progress.ts"),
      ]);
      const path = isAbsolute(component) ? component : resolve(component);
      const asModule = MODULE.test(component);
      if (asModule && !existsSync(path)) throw new UsageError(`module ${component} does not exist`);
      const launch = {
        name: "image",
        runDirectory: "/nonexistent-run",
        ...(asModule ? { module: path } : { command: [component.includes("/") ? path : component] }),
      };
      const progress = createTaskProgress("vm build", IMAGE_STAGES.length);
      let built: ReturnType<typeof componentImage>;
      try {
        built = componentImage(launch, {
          extra: (options.file ?? []).map((file) => resolve(file)),
          onStage: (stage) => progress.step(stage),
        });
      } finally {
        progress.finish();
      }
      const { image, argv } = built;
      const how = image.built ? "built" : "already built: reused";
      process.stdout.write(
        `image ${image.sha256.slice(0, 12)}: ${how}\n  ${(image.bytes / 2 ** 20).toFixed(1)} MiB initramfs, kernel ${image.kernel.release}\n  runs ${argv.join(" ")}\n  ${image.initramfs}\n  use it with enclave: { kind: vm, vm: { image: ${image.sha256.slice(0, 16)} } }\n`,
      );
    });

  vm.command("ls")
    .description("list the stored images: hash, size, what they hold")
    .action(() => {
      const cache = imageCacheDirectory();
      const images = storedImages(cache);
      if (images.length === 0) {
        process.stdout.write(`no images in ${cache}; build one with conflux vm build COMPONENT\n`);
        return;
      }
      for (const image of images) {
        process.stdout.write(
          `${image.sha256.slice(0, 12)}  ${(image.bytes / 2 ** 20).toFixed(1)} MiB  ${image.files} files  ${image.directory}\n`,
        );
      }
    });
}
