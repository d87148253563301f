// The composition file's structure, declared once: validation, the TypeScript
// types, the defaults and the JSON Schema for editors all come from these
// declarations. Cross-references (a transfer naming a mesh that exists, the
// coupling order naming every component) are checked in semantic-checks.ts.
// Every description is written for the person editing the file: editors show it
// on completion, and a missing key's error quotes it as the hint.
import * as z from "zod";
import { operatorSchema } from "./operator.ts";

/** The composition format version this code reads. */
export const COMPOSITION_VERSION = 1;

// Names end up in segment names (at most 96 bytes, see src/wire/segment-header.ts) and
// endpoints join them with dots, so they are short and dot-free.
const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;
const NAME_RULE = 'a letter, then up to 31 letters, digits, "-" or "_"';

function nameSchema(what: string) {
  return z.string().regex(NAME_PATTERN, { error: `a ${what} name (${NAME_RULE})` });
}

/** `component.mesh.field`, the address of one field of one shared mesh. */
const ENDPOINT_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,31}\.[A-Za-z][A-Za-z0-9_-]{0,31}\.[A-Za-z][A-Za-z0-9_-]{0,31}$/;
const endpointSchema = z
  .string()
  .regex(ENDPOINT_PATTERN, { error: "component.mesh.field (three names joined by dots)" })
  .describe("A field of a shared mesh, written component.mesh.field.");

export const enclaveKinds = ["thread", "process", "container", "vm"] as const;
export const containerRuntimes = ["bubblewrap", "crun"] as const;
export const vmAccelerators = ["auto", "kvm", "tcg"] as const;

export const containerOptionsSchema = z
  .strictObject({
    runtime: z
      .enum(containerRuntimes)
      .default("bubblewrap")
      .describe("Which program isolates the component: bubblewrap or crun (an OCI runtime)."),
    stack: nameSchema("software stack")
      .optional()
      .describe("Name of the software stack (root file system) the component runs on; the host's when absent."),
    network: z.boolean().default(false).describe("Whether the component may use the network."),
  })
  .describe("Options for kind container only.");

export const vmOptionsSchema = z
  .strictObject({
    image: z.string().min(1).optional().describe("Name of the guest image (kernel and initramfs) to boot."),
    memory_mib: z.int().min(64).default(256).describe("Guest memory in MiB, at least 64."),
    cpus: z.int().min(1).max(64).default(1).describe("Number of virtual CPUs, 1 to 64."),
    accel: z
      .enum(vmAccelerators)
      .default("auto")
      .describe("Virtualisation: kvm, tcg (emulation), or auto (kvm when it works, tcg otherwise)."),
  })
  .describe("Options for kind vm only.");

export const enclaveSchema = z
  .strictObject({
    kind: z
      .enum(enclaveKinds)
      .default("process")
      .describe("Where the component runs: a thread of the driver, a process, a container or a virtual machine."),
    cpus: z
      .array(z.int().min(0))
      .min(1)
      .optional()
      .describe("CPU numbers the component may run on (its affinity); any CPU when absent."),
    container: containerOptionsSchema.optional(),
    vm: vmOptionsSchema.optional(),
  })
  .describe("How the component is isolated.");

export const meshLayouts = ["soa", "interleaved"] as const;

export const meshSchema = z
  .strictObject({
    dimension: z.literal([1, 2, 3]).describe("Spatial dimension of the points: 1, 2 or 3."),
    points: z.int().positive().describe("Number of points of the mesh, a positive integer."),
    layout: z
      .enum(meshLayouts)
      .default("soa")
      .describe("How coordinates lie in memory: soa (all x, then all y, …) or interleaved (x, y, z per point)."),
    fields: z.array(nameSchema("field")).min(1).describe("Names of the values carried on every point."),
  })
  .describe("A point set the component shares with the driver.");

export const componentSchema = z
  .strictObject({
    enclave: enclaveSchema.prefault({}),
    module: z
      .string()
      .min(1)
      .optional()
      .describe("A TypeScript or JavaScript module run with the Conflux SDK, relative to the composition file."),
    command: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe("An executable and its arguments, for a component speaking the wire format (C, Python, …)."),
    args: z
      .record(z.string(), z.unknown())
      .default({})
      .describe("Free-form parameters handed to the component as they are."),
    env: z
      .record(
        z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "an environment variable name (letters, digits, _)" }),
        z.string(),
      )
      .default({})
      .describe("Environment variables set for the component; values are strings."),
    meshes: z.record(nameSchema("mesh"), meshSchema).default({}).describe("The meshes the component shares, by name."),
  })
  .describe("One coupled program.");

export const transferSchema = z
  .strictObject({
    from: endpointSchema.describe("The source field, component.mesh.field."),
    to: endpointSchema.describe("The target field, component.mesh.field, on another component."),
    operator: operatorSchema.prefault({ method: "nearest" }),
  })
  .describe("One field carried from one component's mesh to another's every iteration.");

export const couplingSchemes = ["serial-explicit"] as const;
export const waitStrategies = ["spin", "hybrid", "block", "backoff"] as const;

export const couplingSchema = z
  .strictObject({
    scheme: z
      .enum(couplingSchemes)
      .default("serial-explicit")
      .describe("serial-explicit: components step one after the other, each once per iteration."),
    iterations: z.int().positive().describe("Number of coupling iterations, a positive integer."),
    order: z
      .array(nameSchema("component"))
      .min(1)
      .describe("Every component, once each, in the order they step within an iteration."),
    timeouts: z
      .strictObject({
        startup_ms: z
          .int()
          .positive()
          .default(30000)
          .describe("How long a component may take to start and connect, in milliseconds."),
        step_ms: z
          .int()
          .positive()
          .default(10000)
          .describe("How long one step of a component may take, in milliseconds."),
      })
      .prefault({})
      .describe("After these, the run stops and names the component that is late."),
    wait: z
      .strictObject({
        strategy: z
          .enum(waitStrategies)
          .default("hybrid")
          .describe(
            "spin (lowest latency, burns a CPU), block (sleeps in the kernel), hybrid (spins, then blocks) or backoff (spins, then polls with growing sleeps; for peers that cannot wake each other).",
          ),
        spin_us: z.number().min(0).default(1000).describe("How long hybrid spins before blocking, in microseconds."),
      })
      .prefault({})
      .describe("How the driver and components wait for each other."),
    check_finite: z
      .boolean()
      .default(true)
      .describe(
        "End the run, naming the component, mesh, field, point and iteration, when a field the driver carries holds NaN or ±Infinity; false carries such values on.",
      ),
  })
  .describe("The coupling loop.");

export const toleranceSchema = z
  .strictObject({
    absolute: z.number().min(0).optional().describe("Largest allowed |a - b|."),
    relative: z.number().min(0).optional().describe("Largest allowed |a - b| / max(|a|, |b|)."),
    ulps: z.int().min(0).optional().describe("Largest allowed distance in units in the last place."),
  })
  .describe("Exactly one of absolute, relative or ulps; without it results must be bitwise equal.");

export const outputSchema = z
  .strictObject({
    field: endpointSchema.describe("The field written at the end of the run, component.mesh.field."),
    tolerance: toleranceSchema.optional(),
  })
  .describe("A field written at the end of the run and compared when the run is verified.");

export const resultsSchema = z
  .strictObject({
    directory: z
      .string()
      .min(1)
      .default("conflux-runs")
      .describe("Where run records go, relative to the composition file."),
    outputs: z.array(outputSchema).default([]).describe("Fields written at the end of the run."),
  })
  .prefault({})
  .describe("Where results go.");

export const compositionSchema = z
  .strictObject({
    version: z
      .literal(COMPOSITION_VERSION)
      .describe(`Composition format version; this Conflux reads version ${COMPOSITION_VERSION}.`),
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
        error: 'a name of up to 64 letters, digits, ".", "-" or "_", starting with a letter or digit',
      })
      .describe("Name of the coupled application, used in run records."),
    description: z.string().optional().describe("Free text."),
    components: z.record(nameSchema("component"), componentSchema).describe("The coupled programs, by name."),
    transfers: z.array(transferSchema).default([]).describe("Fields carried between components every iteration."),
    coupling: couplingSchema,
    results: resultsSchema,
  })
  .describe("A Conflux composition: coupled components, the meshes they share and how data moves between them.");

export type ContainerOptions = z.output<typeof containerOptionsSchema>;
export type VmOptions = z.output<typeof vmOptionsSchema>;
export type Enclave = z.output<typeof enclaveSchema>;
export type EnclaveKind = Enclave["kind"];
export type Mesh = z.output<typeof meshSchema>;
export type Component = z.output<typeof componentSchema>;
export type { OperatorSpec } from "./operator.ts";
export type Transfer = z.output<typeof transferSchema>;
export type Coupling = z.output<typeof couplingSchema>;
export type Tolerance = z.output<typeof toleranceSchema>;
export type Output = z.output<typeof outputSchema>;
export type Results = z.output<typeof resultsSchema>;
/** What the file says, with defaults filled in (before paths are resolved). */
export type CompositionDocument = z.output<typeof compositionSchema>;
/** What the file may say: the input form, where every defaulted key is optional. */
export type CompositionInput = z.input<typeof compositionSchema>;
