// The one place that maps an enclave kind to its backend, so callers (the
// driver, the CLI) never name a backend class.
import { ContainerEnclave } from "./container-enclave.ts";
import type { ContainerLaunch } from "./container-settings.ts";
import type { Enclave, EnclaveOptions } from "./enclave.ts";
import { ProcessEnclave } from "./process-enclave.ts";
import type { EnclaveKind } from "./requirements.ts";
import { ThreadEnclave } from "./thread-enclave.ts";
import { VmEnclave } from "./vm-enclave.ts";
import type { VmLaunch } from "./vm-settings.ts";

const KINDS: readonly EnclaveKind[] = ["thread", "process", "container", "vm"];

/** An enclave of `kind` for `launch`, not yet started. Throws for a launch it cannot run. */
export function createEnclave(
  kind: EnclaveKind,
  launch: ContainerLaunch & VmLaunch,
  options: EnclaveOptions = {},
): Enclave {
  switch (kind) {
    case "thread":
      return new ThreadEnclave(launch, options);
    case "process":
      return new ProcessEnclave(launch, options);
    case "container":
      return new ContainerEnclave(launch, options);
    case "vm":
      return new VmEnclave(launch, options);
    default:
      // Kinds come from composition files too: name the valid ones.
      throw new Error(
        `component ${launch.name}: unknown enclave kind ${JSON.stringify(kind)}; the kinds are ${KINDS.join(", ")}`,
      );
  }
}
