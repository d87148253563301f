// The one place that maps an enclave kind to its backend, so callers (the
// driver, the CLI) never name a backend class.
import { ContainerEnclave } from "./container/container-enclave.ts";
import type { ContainerLaunch } from "./container/settings.ts";
import type { Enclave, EnclaveOptions } from "./enclave.ts";
import { ENCLAVE_KINDS, type EnclaveKind } from "./kind.ts";
import { ProcessEnclave } from "./process/process-enclave.ts";
import { ThreadEnclave } from "./thread/thread-enclave.ts";
import type { VmLaunch } from "./vm/settings.ts";
import { VmEnclave } from "./vm/vm-enclave.ts";

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
        `component ${launch.name}: unknown enclave kind ${JSON.stringify(kind)}; the kinds are ${ENCLAVE_KINDS.join(", ")}`,
      );
  }
}
