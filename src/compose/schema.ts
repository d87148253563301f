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

/** A stack named by its spec file rather than by a stored stack's name. */
export const STACK_SPEC_PATTERN = /\.ya?ml$/;

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
    stack: z
      .string()
      .refine((value) => NAME_PATTERN.test(value) || STACK_SPEC_PATTERN.test(value), {
        error: `a stack name (${NAME_RULE}) or the path of its spec file (ending in .yaml or .yml)`,
      })
      .optional()
      .describe(
        "The software stack (root file system) the component runs on: a stored stack's name, or the path of its spec file (e.g. ./numpy1.stack.yaml, from the composition's directory), which `conflux run` builds first when it is not stored; the host's when absent.",
      ),
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
    memory_mib: z
      .int()
      .min(16)
      .max(16 * 1024 * 1024)
      .optional()
      .describe(
        "The most memory the enclave's processes may hold together, in MiB (a cgroup's limit; over it the kernel kills them and the run names the limit and the peak). Process and container enclaves; a VM's memory is vm.memory_mib.",
      ),
    cpu_weight: z
      .int()
      .min(1)
      .max(10000)
      .optional()
      .describe(
        "The enclave's share of CPU time when it competes with others, 1 to 10000; 100 is an ordinary process's (cgroup v2 cpu.weight, v1 cpu.shares). Process, container and VM enclaves.",
      ),
    container: containerOptionsSchema.optional(),
    vm: vmOptionsSchema.optional(),
  })
  .describe("How the component is isolated.");

export const meshLayouts = ["soa", "interleaved"] as const;
export const rankLaunchers = ["processes", "mpirun"] as const;
/** The most ranks a component runs as (the wire's MAX_RANKS: compose sits below wire and repeats it). */
const MAX_RANKS = 256;
/** The most nodes a composition may span. */
const MAX_NODES = 4096;

export const meshSchema = z
  .strictObject({
    dimension: z.literal([1, 2, 3]).describe("Spatial dimension of the points: 1, 2 or 3."),
    points: z
      .int()
      .positive()
      .optional()
      .describe(
        "Number of points of the mesh, a positive integer, checked against what the component publishes (for a component of many ranks, the sum over its ranks); optional: without it the mesh is as large as published (with file, as the file).",
      ),
    file: z
      .string()
      .min(1)
      .optional()
      .describe(
        "A mesh file (.vtu, .vtp, .vtk, .msh or .csv, relative to the composition file) whose points are the mesh's: the driver builds transfers on them and writes them into the component's mesh before its first step.",
      ),
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
    ranks: z
      .int()
      .min(1)
      .max(MAX_RANKS)
      .default(1)
      .describe(
        "How many ranks the component runs as (an MPI job): each shares its own partition of every mesh (docs/parallel.md).",
      ),
    launcher: z
      .enum(rankLaunchers)
      .default("processes")
      .describe(
        "Who starts the ranks: processes (the driver starts N processes, each told its rank; process enclaves) or mpirun (the enclave runs the command under its own mpirun, a container's from its stack).",
      ),
    node: z
      .int()
      .min(1)
      .max(MAX_NODES)
      .optional()
      .describe(
        "Which of placement.nodes it runs on: 1 is the first, where the driver runs (docs/cluster.md); 1 when absent.",
      ),
    spread: z
      .boolean()
      .optional()
      .describe("A component of many ranks: its ranks placed across every node of placement.nodes, in blocks."),
  })
  .describe("One coupled program.");

/** The highest B-spline degree a waveform is read with. */
export const MAX_WAVEFORM_DEGREE = 3;

export const transferSchema = z
  .strictObject({
    from: endpointSchema.describe("The source field, component.mesh.field."),
    to: endpointSchema.describe("The target field, component.mesh.field, on another component."),
    operator: operatorSchema.prefault({ method: "nearest" }),
    waveform_degree: z
      .int()
      .min(0)
      .max(MAX_WAVEFORM_DEGREE)
      .optional()
      .describe(
        "Runs in time only: the degree (0 to 3) of the B-spline through the window's samples that the target reads the field with; 1 when absent.",
      ),
  })
  .describe("One field carried from one component's mesh to another's every iteration, or every window attempt.");

/** `component.mesh` (a published mesh) or `component.name` (a reader's name for it). */
const MESH_ADDRESS_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,31}\.[A-Za-z][A-Za-z0-9_-]{0,31}$/;

export const asynchronousSchema = z
  .strictObject({
    from: z
      .string()
      .regex(MESH_ADDRESS_PATTERN, { error: "component.mesh (two names joined by a dot)" })
      .describe(
        "The mesh published, component.mesh: its owner shares it as a double-buffered snapshot and publishes it while it runs, never waiting for a reader.",
      ),
    to: z
      .string()
      .regex(MESH_ADDRESS_PATTERN, { error: "component.name (two names joined by a dot)" })
      .describe(
        "The reader, component.name: another component, and the name it reads the snapshot by. A late reader skips snapshots and counts them.",
      ),
  })
  .describe("An asynchronous coupling: one component's mesh read by another while its owner runs on.");

export const couplingSchemes = [
  "serial-explicit",
  "parallel-explicit",
  "serial-implicit",
  "parallel-implicit",
  "multi",
] as const;
export const implicitSchemes: readonly CouplingScheme[] = ["serial-implicit", "parallel-implicit", "multi"];
export const serialSchemes: readonly CouplingScheme[] = ["serial-explicit", "serial-implicit"];
export type CouplingScheme = (typeof couplingSchemes)[number];
export const waitStrategies = ["spin", "hybrid", "block", "backoff"] as const;

export const convergenceMeasures = ["absolute", "relative", "residual-relative"] as const;

export const convergenceSchema = z
  .strictObject({
    field: endpointSchema.describe(
      "The field measured, component.mesh.field: either end of a transfer (the data it carries, as its target reads it).",
    ),
    measure: z
      .enum(convergenceMeasures)
      .describe(
        "absolute: ‖Δ‖ ≤ limit; relative: ‖Δ‖ ≤ limit · ‖new values‖; residual-relative: ‖Δ‖ ≤ limit · ‖Δ of the window's first iteration‖ (Δ: this iteration's values minus the last, over the window's samples).",
      ),
    limit: z.number().positive().describe("The bound, greater than 0."),
  })
  .describe("A convergence measure of an implicit scheme; a window has converged when every measure holds.");

export const accelerationMethods = ["constant", "aitken", "iqn-ils", "iqn-imvj"] as const;
export const qrFilterTypes = ["none", "qr1", "qr2", "qr3"] as const;
export const preconditionerTypes = ["residual-sum", "value", "constant", "none"] as const;
export const restartModes = ["none", "rs-0", "rs-ls", "rs-svd"] as const;

export const accelerationSchema = z
  .strictObject({
    method: z
      .enum(accelerationMethods)
      .describe(
        "constant under-relaxation, aitken (dynamic relaxation), iqn-ils (quasi-Newton, least-squares Jacobian) or iqn-imvj (quasi-Newton, multi-vector Jacobian carried across windows).",
      ),
    fields: z
      .array(endpointSchema)
      .min(1)
      .describe(
        "The fields accelerated, component.mesh.field: transfers' data the driver writes (in a serial scheme, what the first component reads).",
      ),
    relaxation: z.number().gt(0).max(1).optional().describe("constant only: the factor ω in (0, 1]."),
    initial_relaxation: z
      .number()
      .gt(0)
      .max(1)
      .optional()
      .describe("aitken, iqn-ils, iqn-imvj: ω of the first iteration, in (0, 1]; 0.5 for aitken, 0.1 otherwise."),
    max_columns: z
      .int()
      .min(1)
      .optional()
      .describe(
        "iqn-ils, iqn-imvj: most columns in the least-squares system (never more than the values); 100, or 20 for iqn-imvj.",
      ),
    windows_reused: z
      .int()
      .min(0)
      .optional()
      .describe("iqn-ils, iqn-imvj: past windows whose columns are kept; 10, or 0 for iqn-imvj."),
    filter: z
      .strictObject({
        type: z
          .enum(qrFilterTypes)
          .describe("qr1, qr2 or qr3 (delete columns that make the least-squares system ill-conditioned), or none."),
        limit: z.number().positive().optional().describe("The filter's threshold; 1e-2 when absent."),
      })
      .optional()
      .describe("iqn-ils, iqn-imvj: the QR filter; qr3 with limit 1e-2 when absent."),
    preconditioner: z
      .enum(preconditionerTypes)
      .optional()
      .describe(
        "aitken (several fields), iqn-ils, iqn-imvj: how fields are weighed against each other; residual-sum when absent.",
      ),
    scaling: z
      .array(z.number().positive())
      .min(1)
      .optional()
      .describe("preconditioner constant only: one factor per field (the field's typical magnitude)."),
    restart: z
      .strictObject({
        mode: z
          .enum(restartModes)
          .describe("none (a dense Jacobian), rs-0, rs-ls or rs-svd (restart every chunk windows)."),
        chunk: z.int().min(1).optional().describe("Windows between restarts; 8 when absent."),
        truncation: z
          .number()
          .min(0)
          .lt(1)
          .optional()
          .describe("rs-svd: singular values below this fraction of the largest are dropped; 1e-4 when absent."),
        reused_windows: z
          .int()
          .min(0)
          .optional()
          .describe("rs-ls: windows whose columns the Jacobian restarts from; 8 when absent."),
      })
      .optional()
      .describe("iqn-imvj only: how the Jacobian is kept; rs-svd with chunk 8 when absent."),
  })
  .describe("How an implicit scheme accelerates its fixed-point iteration.");

export const couplingSchema = z
  .strictObject({
    scheme: z
      .enum(couplingSchemes)
      .default("serial-explicit")
      .describe(
        "serial-explicit: components step one after the other, once per iteration or window; parallel-explicit: all at once, once per window; serial-implicit, parallel-implicit: each window repeated until it converges; multi: parallel-implicit over three or more components.",
      ),
    iterations: z
      .int()
      .positive()
      .optional()
      .describe("An iteration run: the number of coupling iterations, a positive integer (instead of window)."),
    order: z
      .array(nameSchema("component"))
      .min(1)
      .describe(
        "Every component, once each, in the order they step within an iteration; a component that only reads snapshots (asynchronous) may be left out, and then runs free.",
      ),
    window: z
      .union([z.number().positive(), z.literal("first-participant")])
      .optional()
      .describe(
        "A run in physical time: the window size (> 0), or first-participant (serial schemes: the first component's step sets each window).",
      ),
    max_time: z
      .number()
      .positive()
      .optional()
      .describe("Runs in time: the end time; the last window is cut to end there (instead of windows)."),
    windows: z.int().positive().optional().describe("Runs in time: the number of windows (instead of max_time)."),
    max_substeps: z
      .int()
      .min(1)
      .max(65_535)
      .optional()
      .describe(
        "Runs in time: the most steps a component may take in a window (the waveforms' capacity); 100 when absent.",
      ),
    min_iterations: z
      .int()
      .min(1)
      .optional()
      .describe("Implicit schemes: iterations every window takes at least; 1 when absent."),
    max_iterations: z
      .int()
      .min(1)
      .optional()
      .describe("Implicit schemes: iterations a window may take at most; 100 when absent."),
    on_max_iterations: z
      .enum(["stop", "continue"])
      .optional()
      .describe(
        "Implicit schemes: at max_iterations without convergence, stop (the run ends with an error naming the window) or continue (the next window starts); stop when absent.",
      ),
    convergence: z
      .array(convergenceSchema)
      .min(1)
      .optional()
      .describe("Implicit schemes: the convergence measures, all of which must hold."),
    acceleration: accelerationSchema.optional(),
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
    threads: z
      .union([z.int().min(1).max(256), z.literal("all")])
      .default("all")
      .describe(
        "Threads the driver may use for operator setup and apply and for a large acceleration: a count, or all (the cores this process may run on). Results are the same on any count.",
      ),
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

export const resultExports = ["vtu"] as const;

export const resultsSchema = z
  .strictObject({
    directory: z
      .string()
      .min(1)
      .default("conflux-runs")
      .describe("Where run records go, relative to the composition file."),
    outputs: z.array(outputSchema).default([]).describe("Fields written at the end of the run."),
    export: z
      .enum(resultExports)
      .optional()
      .describe(
        "vtu: every mesh with all its fields as a VTU file per window (a run in time) or at the end (an iteration run), and a .pvd series ParaView opens, in the run record's vtu/ folder.",
      ),
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
    placement: z
      .strictObject({
        nodes: z
          .int()
          .min(1)
          .max(MAX_NODES)
          .describe("How many nodes the run spans; more than 1 runs inside a Slurm allocation (docs/cluster.md)."),
      })
      .optional()
      .describe("Where the components run: one node when absent."),
    components: z.record(nameSchema("component"), componentSchema).describe("The coupled programs, by name."),
    transfers: z.array(transferSchema).default([]).describe("Fields carried between components every iteration."),
    asynchronous: z
      .array(asynchronousSchema)
      .default([])
      .describe(
        "Meshes published as snapshots for other components to read while their owners run on (iteration runs).",
      ),
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
export type Asynchronous = z.output<typeof asynchronousSchema>;
export type Coupling = z.output<typeof couplingSchema>;
export type ConvergenceMeasureSpec = z.output<typeof convergenceSchema>;
export type AccelerationSpec = z.output<typeof accelerationSchema>;
export type Tolerance = z.output<typeof toleranceSchema>;
export type Output = z.output<typeof outputSchema>;
export type Results = z.output<typeof resultsSchema>;
/** What the file says, with defaults filled in (before paths are resolved). */
export type CompositionDocument = z.output<typeof compositionSchema>;
/** What the file may say: the input form, where every defaulted key is optional. */
export type CompositionInput = z.input<typeof compositionSchema>;
