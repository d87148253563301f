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

/** Builds the component's image, or, given `prebuilt` (a `conflux vm build` result), uses that one. */
export function componentImage(
  launch: ComponentLaunch,
  options: Omit<ComponentFileOptions, "compileCache"> & { prebuilt?: string },
): ComponentImage {
  const kernel = guestKernel();
  const cache = imageCacheDirectory();
  const { files, argv } = componentFiles(launch, { ...options, compileCache: cache });
  if (options.prebuilt !== undefined) return { image: resolveImage(options.prebuilt, kernel, cache), argv };
  const busybox = findExecutable("busybox") ?? "/bin/busybox";
  if (!existsSync(busybox)) throw new Error("busybox is missing; apt-get install -y busybox-static");
  addGuestBase(files, busybox, guestAgent(cache));
  return { image: guestImage(files, kernel, cache), argv };
}
