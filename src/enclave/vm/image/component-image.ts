// The image a component boots in: the guest base (busybox, init, agent), the
// component with what it needs, and the kernel; built or found in the cache.
import { existsSync } from "node:fs";
import { findExecutable } from "../../../platform/executable.ts";
import type { ComponentLaunch } from "../../launch.ts";
import { type ComponentFileOptions, componentFiles } from "./component-files.ts";
import { addGuestBase, type GuestImage, guestAgent, guestImage, imageCacheDirectory } from "./guest-image.ts";
import { findGuestKernel, type GuestKernel, KERNEL_FIX } from "./guest-kernel.ts";
import { resolveImage } from "./image-reference.ts";

export interface ComponentImage {
  image: GuestImage;
  /** What the agent executes in the guest. */
  argv: string[];
}

export function guestKernel(): GuestKernel {
  const kernel = findGuestKernel();
  if (kernel === undefined || !existsSync(kernel.path)) {
    throw new Error(`no guest kernel (looked for /boot/vmlinuz-*-cloud-amd64); ${KERNEL_FIX}`);
  }
  return kernel;
}

/** The stages of a build, in order, for progress (IMAGE_STAGES.length of them). */
export const IMAGE_STAGES = [
  "collecting the component's files (TypeScript compiled once, cached)",
  "the guest agent (compiled once, cached)",
  "the initramfs (found by its content, or written)",
] as const;

/**
 * The work a build does when the cache lacks it, in order (IMAGE_WORK.length at most): what a run shows, which
 * builds an image only when it must, and says nothing when every part is found stored.
 */
export const IMAGE_WORK = [
  "compiling the component's TypeScript",
  "compiling the guest agent",
  "writing the initramfs",
] as const;

/** Builds the component's image, or, given `prebuilt` (a `conflux vm build` result), uses that one. */
export function componentImage(
  launch: ComponentLaunch,
  options: Omit<ComponentFileOptions, "compileCache" | "beforeCompiling"> & {
    prebuilt?: string;
    /** Called as each of IMAGE_STAGES begins: the build is synchronous, and its stages can take seconds. */
    onStage?: (stage: string) => void;
    /** Called as each of IMAGE_WORK begins, only when the cache does not have what it makes. */
    onWork?: (work: string) => void;
  },
): ComponentImage {
  const kernel = guestKernel();
  const cache = imageCacheDirectory();
  const work = (what: (typeof IMAGE_WORK)[number]) => () => options.onWork?.(what);
  options.onStage?.(IMAGE_STAGES[0]);
  const { files, argv } = componentFiles(launch, {
    ...options,
    compileCache: cache,
    beforeCompiling: work(IMAGE_WORK[0]),
  });
  if (options.prebuilt !== undefined) return { image: resolveImage(options.prebuilt, kernel, cache), argv };
  const busybox = findExecutable("busybox") ?? "/bin/busybox";
  if (!existsSync(busybox)) throw new Error("busybox is missing; apt-get install -y busybox-static");
  options.onStage?.(IMAGE_STAGES[1]);
  const agent = guestAgent(cache, work(IMAGE_WORK[1]));
  addGuestBase(files, busybox, agent);
  options.onStage?.(IMAGE_STAGES[2]);
  return { image: guestImage(files, kernel, cache, work(IMAGE_WORK[2])), argv };
}
