// What a composition may ask of an enclave's resources (memory_mib,
// cpu_weight): a cgroup holds processes, so a thread, which shares the
// driver's process, can have none; a VM's memory is its guest's, set in
// vm.memory_mib. Whether this host has cgroups at all its caller says (the
// runner and validate ask the enclave layer), so the keys are refused in place.
import type { Finding } from "./positions.ts";
import type { CompositionDocument } from "./schema.ts";

export function resourceFindings(composition: CompositionDocument): Finding[] {
  const findings: Finding[] = [];
  for (const [name, component] of Object.entries(composition.components)) {
    const enclave = component.enclave;
    const path = ["components", name, "enclave"];
    if (enclave.kind === "thread") {
      for (const key of ["memory_mib", "cpu_weight"] as const) {
        if (enclave[key] === undefined) continue;
        findings.push({
          path: [...path, key],
          at: "key",
          message: `component "${name}" runs in a thread enclave, which shares the driver's process: it cannot have ${key}`,
          hint: "Use kind: process (or container) for a component with its own limits, or remove the key.",
        });
      }
    }
    if (enclave.kind === "vm" && enclave.memory_mib !== undefined) {
      findings.push({
        path: [...path, "memory_mib"],
        at: "key",
        message: `component "${name}" runs in a VM, whose memory is its guest's`,
        hint: "Set vm: { memory_mib: N } for the guest's memory instead.",
      });
    }
  }
  return findings;
}

/** The limits this host cannot keep: every memory_mib and cpu_weight, when `cgroupsMissing` says why there are no cgroups. */
export function hostResourceFindings(
  composition: CompositionDocument,
  cgroupsMissing: () => string | undefined,
): Finding[] {
  const findings: Finding[] = [];
  let reason: string | undefined;
  let asked = false;
  for (const [name, component] of Object.entries(composition.components)) {
    for (const key of ["memory_mib", "cpu_weight"] as const) {
      if (component.enclave[key] === undefined) continue;
      if (!asked) {
        reason = cgroupsMissing();
        asked = true;
      }
      if (reason === undefined) return findings;
      findings.push({
        path: ["components", name, "enclave", key],
        at: "key",
        message: `component "${name}" asks for ${key}, and this host has no cgroups the driver can use: ${reason}`,
        hint: "Run as root on a host with cgroups (conflux doctor says what this one has), or remove the key.",
      });
    }
  }
  return findings;
}
