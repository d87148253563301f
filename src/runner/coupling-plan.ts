// A valid composition turned into what the driver runs. Pure translation:
// nothing is started here.

import { availableParallelism } from "node:os";
import { dirname } from "node:path";
import type { Composition } from "../compose/load.ts";
import { transferSpec } from "../compose/operator.ts";
import type { AccelerationSpec, ContainerOptions, Coupling, VmOptions } from "../compose/schema.ts";
import type {
  AccelerationPlan,
  ComponentPlan,
  CouplingPlan,
  ExpectedMesh,
  FieldAddress,
  TimePlan,
} from "../coupling/plan.ts";
import type { ContainerSettings } from "../enclave/container/settings.ts";
import type { ResourceLimits } from "../enclave/resources/resource-limits.ts";
import type { VmSettings } from "../enclave/vm/settings.ts";
import type { TransferSpec } from "../mapping/index.ts";
import { type DeclaredGeometry, declaredGeometry, MeshFileError } from "../meshfile/index.ts";
import { withClients } from "../platform/python-client-path.ts";
import type { SpecStack } from "../stack/stack-of-spec.ts";
import { resolveStack } from "../stack/stack-store.ts";
import { specStacks } from "./stack-builds.ts";

function address(endpoint: string): FieldAddress {
  const [component = "", mesh = "", field = ""] = endpoint.split(".");
  return { component, mesh, field };
}

/**
 * A stack is named in the file and found in the stack store, by its name or, for one named by its spec file, by
 * that content's hash (stack-builds.ts has built it by then); whether it is built is checked at launch.
 */
function containerSettings(options: ContainerOptions | undefined, spec: SpecStack | undefined): ContainerSettings {
  const settings: ContainerSettings = { runtime: options?.runtime ?? "bubblewrap", network: options?.network ?? false };
  if (spec !== undefined) {
    settings.stack = spec.name;
    settings.rootfs = spec.rootfs;
  } else if (options?.stack !== undefined) {
    settings.stack = options.stack;
    settings.rootfs = resolveStack(options.stack).rootfs;
  }
  return settings;
}

function vmSettings(options: VmOptions | undefined): VmSettings {
  if (options === undefined) return {};
  return {
    memoryMiB: options.memory_mib,
    cpus: options.cpus,
    accel: options.accel,
    ...(options.image === undefined ? {} : { image: options.image }),
  };
}

export interface PlanOverrides {
  /** An iteration run's count; a run in time has windows instead and keeps them. */
  iterations?: number;
}

/**
 * The meshes a component must share, and the points of those the composition
 * takes from a file (read again here, as they are now: the load checked them).
 */
function meshesOf(
  component: string,
  meshes: Composition["components"][string]["meshes"],
): Pick<ComponentPlan, "meshes" | "givenCoordinates"> {
  const specs: Record<string, ExpectedMesh> = {};
  const given: Record<string, Float64Array> = {};
  for (const [meshName, mesh] of Object.entries(meshes)) {
    let count = mesh.points;
    if (mesh.file !== undefined) {
      let geometry: DeclaredGeometry;
      try {
        geometry = declaredGeometry(mesh.file, mesh.dimension, mesh.layout, mesh.points);
      } catch (error) {
        if (!(error instanceof MeshFileError)) throw error;
        throw new MeshFileError(`components.${component}.meshes.${meshName}.file: ${error.message}`);
      }
      count = geometry.count;
      given[meshName] = geometry.coordinates;
    }
    specs[meshName] = {
      dimension: mesh.dimension,
      ...(count === undefined ? {} : { count }),
      layout: mesh.layout,
      fields: mesh.fields,
    };
  }
  return { meshes: specs, ...(Object.keys(given).length === 0 ? {} : { givenCoordinates: given }) };
}

/** `stacks`: the stacks components name by their spec files, when the caller has them already (stack-builds.ts). */
export function couplingPlan(
  composition: Composition,
  overrides: PlanOverrides = {},
  stacks: ReadonlyMap<string, SpecStack> = specStacks(composition),
): CouplingPlan<TransferSpec> {
  // Components run beside the composition, as its relative paths mean (a thread shares the driver's directory).
  const directory = dirname(composition.source);
  const components: ComponentPlan[] = Object.entries(composition.components).map(([name, component]) => ({
    name,
    kind: component.enclave.kind,
    launch: {
      ...(component.enclave.kind === "thread" ? {} : { cwd: directory }),
      ...(component.module === undefined ? {} : { module: component.module }),
      ...(component.command === undefined ? {} : { command: component.command }),
      ...(component.enclave.cpus === undefined ? {} : { cpus: component.enclave.cpus }),
      ...resourcesOf(component.enclave),
      args: component.args,
      env: withClients(component.env, composition.source, component.command !== undefined),
      ...(component.enclave.kind === "container"
        ? { container: containerSettings(component.enclave.container, stacks.get(name)) }
        : {}),
      ...(component.enclave.kind === "vm" ? { vm: vmSettings(component.enclave.vm) } : {}),
    },
    ...meshesOf(name, component.meshes),
    ...(component.ranks === 1 ? {} : { ranks: component.ranks }),
    ...(component.launcher === "processes" ? {} : { launcher: component.launcher }),
  }));
  const coupling = composition.coupling;
  return {
    components,
    transfers: composition.transfers.map((transfer) => ({
      from: address(transfer.from),
      to: address(transfer.to),
      operator: transferSpec(transfer.operator),
      ...(coupling.window === undefined ? {} : { waveformDegree: transfer.waveform_degree ?? 1 }),
    })),
    iterations: coupling.window === undefined ? (overrides.iterations ?? coupling.iterations ?? 0) : 0,
    ...(coupling.window === undefined ? {} : { time: timePlan(coupling) }),
    order: coupling.order,
    ...(composition.asynchronous.length === 0
      ? {}
      : {
          snapshots: composition.asynchronous.map((link) => {
            const [component = "", mesh = ""] = link.from.split(".");
            const [reader = "", name = ""] = link.to.split(".");
            return { from: { component, mesh }, to: { component: reader, name } };
          }),
        }),
    startupTimeoutMs: coupling.timeouts.startup_ms,
    stepTimeoutMs: coupling.timeouts.step_ms,
    wait: { kind: coupling.wait.strategy, spinNs: coupling.wait.spin_us * 1000 },
    checkFinite: coupling.check_finite,
    threads: coupling.threads === "all" ? availableParallelism() : coupling.threads,
  };
}

/** The defaults of the keys a run in time may leave out, as preCICE's where it has one (docs/composition.md). */
function timePlan(coupling: Coupling): TimePlan {
  return {
    scheme: coupling.scheme,
    window: coupling.window ?? 0,
    ...(coupling.max_time === undefined ? {} : { maxTime: coupling.max_time }),
    ...(coupling.windows === undefined ? {} : { windows: coupling.windows }),
    maxSubsteps: coupling.max_substeps ?? 100,
    minIterations: coupling.min_iterations ?? 1,
    maxIterations: coupling.max_iterations ?? 100,
    onMaxIterations: coupling.on_max_iterations ?? "stop",
    convergence: (coupling.convergence ?? []).map((measure) => ({
      field: address(measure.field),
      measure: measure.measure,
      limit: measure.limit,
    })),
    ...(coupling.acceleration === undefined ? {} : { acceleration: accelerationPlan(coupling.acceleration) }),
  };
}

function accelerationPlan(spec: AccelerationSpec): AccelerationPlan {
  const imvj = spec.method === "iqn-imvj";
  return {
    method: spec.method,
    fields: spec.fields.map(address),
    relaxation:
      spec.method === "constant"
        ? (spec.relaxation ?? 0.5)
        : (spec.initial_relaxation ?? (spec.method === "aitken" ? 0.5 : 0.1)),
    maxColumns: spec.max_columns ?? (imvj ? 20 : 100),
    windowsReused: spec.windows_reused ?? (imvj ? 0 : 10),
    filter: spec.filter?.type ?? "qr3",
    filterLimit: spec.filter?.limit ?? 1e-2,
    preconditioner: spec.preconditioner ?? "residual-sum",
    scaling: spec.scaling ?? [],
    restart: {
      mode: spec.restart?.mode ?? "rs-svd",
      chunk: spec.restart?.chunk ?? 8,
      truncation: spec.restart?.truncation ?? 1e-4,
      reusedWindows: spec.restart?.reused_windows ?? 8,
    },
  };
}

/** The enclave's cgroup limits, as the launch carries them; nothing when it asks for none. */
function resourcesOf(enclave: Composition["components"][string]["enclave"]): { resources?: ResourceLimits } {
  const resources: ResourceLimits = {
    ...(enclave.memory_mib === undefined ? {} : { memoryMib: enclave.memory_mib }),
    ...(enclave.cpu_weight === undefined ? {} : { cpuWeight: enclave.cpu_weight }),
  };
  return Object.keys(resources).length === 0 ? {} : { resources };
}
