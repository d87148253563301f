// bench/implicit/ owns `conflux bench implicit`: both implicit examples through the driver with each acceleration, and its report.
// It must not drift from the examples: its plans equal their compositions (a test checks); preCICE's side lives in precice-*/.

// The two implicit cases of `conflux bench implicit`, as coupling plans equal
// to the examples' compositions (examples/partitioned-heat/conflux*.yaml,
// examples/elastic-tube-1d/conflux*.yaml; a test checks that they stay equal):
// the partitioned heat case (Python Dirichlet, C Neumann) and the 1-D elastic
// tube (C fluid, Python wall), each with the accelerations compared; and each
// with both participants in C, as they run through preCICE.
import type { AccelerationPlan, CouplingPlan, FieldAddress, TimePlan } from "../../coupling/plan.ts";
import { packagePath } from "../../platform/package-root.ts";
import { withPythonClient } from "../../platform/python-client-path.ts";

export type ImplicitCase = "heat" | "tube";

export interface Programs {
  /** A python3 that imports numpy. */
  python: string;
  /** The C participants, built with the C client. */
  neumann: string;
  fluid: string;
  /** The heat case's Dirichlet side in C (examples/partitioned-heat/dirichlet.c), for the all-C pair. */
  dirichlet: string;
  /** The tube's wall in C (examples/elastic-tube-1d/solid.c), for the all-C pair. */
  solid: string;
}

/** Who runs the heat case's Dirichlet side: the example's Python participant, or the C one (as under preCICE). */
export type HeatPair = "python-c" | "c-c";

/** Who runs the tube's wall: the example's Python component, or the C one (as under preCICE). */
export type TubePair = "c-python" | "c-c";

export interface Variant {
  /** How tables and JSON name it. */
  name: string;
  /** The method, and the settings that differ from the case's defaults. */
  acceleration: AccelerationPlan;
  maxIterations: number;
  onMaxIterations: TimePlan["onMaxIterations"];
}

const field = (component: string, mesh: string, name: string): FieldAddress => ({ component, mesh, field: name });

function acceleration(
  method: AccelerationPlan["method"],
  fields: FieldAddress[],
  settings: Partial<AccelerationPlan>,
): AccelerationPlan {
  const imvj = method === "iqn-imvj";
  return {
    method,
    fields,
    relaxation: 0.5,
    maxColumns: imvj ? 20 : 100,
    windowsReused: imvj ? 0 : 10,
    filter: "qr3",
    filterLimit: 1e-2,
    preconditioner: "residual-sum",
    scaling: [],
    restart: { mode: "rs-svd", chunk: 8, truncation: 1e-4, reusedWindows: 8 },
    ...settings,
  };
}

const HEAT_ACCELERATED = [field("Dirichlet", "interface", "T")];
const TUBE_ACCELERATED = [field("Fluid", "nodes", "cross_section")];

/** A variant of the heat case: every one accelerates the Dirichlet side's temperature and stops a window after 100 iterations. */
function heatVariant(name: string, method: AccelerationPlan["method"], settings: Partial<AccelerationPlan>): Variant {
  return {
    name,
    acceleration: acceleration(method, HEAT_ACCELERATED, settings),
    maxIterations: 100,
    onMaxIterations: "stop",
  };
}

/** The heat case's accelerations: the tutorial's three, IQN-ILS with its defaults, and IQN-IMVJ (each an example composition). */
export const HEAT_VARIANTS: readonly Variant[] = [
  heatVariant("constant", "constant", { relaxation: 0.5 }),
  heatVariant("aitken", "aitken", { relaxation: 0.5 }),
  heatVariant("iqn-ils", "iqn-ils", {
    relaxation: 0.1,
    maxColumns: 10,
    windowsReused: 5,
    filter: "qr2",
    filterLimit: 1e-3,
  }),
  // Conflux's defaults, which are preCICE 3's: ω 0.1, 100 columns, 10 windows reused, QR3 1e-2, residual-sum.
  heatVariant("iqn-ils-defaults", "iqn-ils", { relaxation: 0.1 }),
  heatVariant("iqn-imvj", "iqn-imvj", { relaxation: 0.1, filter: "qr2", filterLimit: 1e-3 }),
];

/** The tube's implicit accelerations: the tutorial's IQN-ILS and Aitken, IQN-IMVJ, and constant relaxation. */
export const TUBE_VARIANTS: readonly Variant[] = [
  {
    // Unaccelerated but for the factor: 266 to 370 iterations a window, the baseline the others are measured against.
    name: "constant",
    acceleration: acceleration("constant", TUBE_ACCELERATED, { relaxation: 0.01 }),
    maxIterations: 400,
    onMaxIterations: "stop",
  },
  {
    name: "aitken",
    acceleration: acceleration("aitken", TUBE_ACCELERATED, { relaxation: 0.01 }),
    maxIterations: 100,
    onMaxIterations: "continue",
  },
  {
    name: "iqn-ils",
    acceleration: acceleration("iqn-ils", TUBE_ACCELERATED, {
      relaxation: 0.01,
      maxColumns: 50,
      windowsReused: 8,
      filter: "qr2",
      filterLimit: 1e-3,
    }),
    maxIterations: 40,
    onMaxIterations: "stop",
  },
  {
    name: "iqn-imvj",
    // Restarted every 2 windows from the last two's least squares: with preCICE's chunk of 8 the carried
    // Jacobian goes stale where the inflow turns (t ≈ 0.1) and the iteration diverges.
    acceleration: acceleration("iqn-imvj", TUBE_ACCELERATED, {
      relaxation: 0.01,
      maxColumns: 50,
      filter: "qr2",
      filterLimit: 1e-3,
      restart: { mode: "rs-ls", chunk: 2, truncation: 1e-4, reusedWindows: 2 },
    }),
    maxIterations: 40,
    onMaxIterations: "stop",
  },
];

const TIMEOUTS = { startupTimeoutMs: 30_000, stepTimeoutMs: 10_000 };

/**
 * Two components coupled serial-implicitly both ways on one mesh each by its name: `first` writes
 * `fields[0]`, which the second reads, and the second writes `fields[1]` back, both measured relatively.
 */
function implicitPair(
  components: CouplingPlan["components"],
  meshName: string,
  fields: readonly [string, string],
  window: number,
  limit: number,
  variant: Variant,
): CouplingPlan {
  const [first, second] = components.map((component) => component.name) as [string, string];
  const written = [field(first, meshName, fields[0]), field(second, meshName, fields[1])];
  const read = [field(second, meshName, fields[0]), field(first, meshName, fields[1])];
  return {
    components,
    transfers: written.map((from, index) => ({
      from,
      to: read[index] as (typeof read)[number],
      operator: { method: "nearest", conservative: false },
      waveformDegree: 1,
    })),
    iterations: 0,
    order: [first, second],
    ...TIMEOUTS,
    wait: { kind: "block", spinNs: 1_000_000 },
    time: {
      scheme: "serial-implicit",
      window,
      maxTime: 1.0,
      maxSubsteps: 100,
      minIterations: 1,
      maxIterations: variant.maxIterations,
      onMaxIterations: variant.onMaxIterations,
      convergence: written.map((measured) => ({ field: measured, measure: "relative", limit })),
      acceleration: variant.acceleration,
    },
  };
}

type Component = CouplingPlan["components"][number];
type Launch = Component["launch"];

/** A participant of either case: a process that shares its meshes. */
function processComponent(name: string, meshes: Component["meshes"], launch: Launch): Component {
  return { name, kind: "process", launch, meshes };
}

/** A side run by its C participant. */
function cLaunch(program: string, args: Launch["args"]): Launch {
  return { command: [program], args, env: {} };
}

/** A side that runs in C (`program`) for the all-C pair, else as the example runs it, in Python (`script`, from the package root). */
function cOrPythonLaunch(inC: boolean, program: string, python: string, script: string, args: Launch["args"]): Launch {
  if (inC) return cLaunch(program, args);
  // Its plan is not a composition's: the client `conflux run` would give the script is given here.
  return { command: [python, packagePath(script)], args, env: withPythonClient({ PYTHONDONTWRITEBYTECODE: "1" }) };
}

export function heatPlan(variant: Variant, programs: Programs, pair: HeatPair = "python-c"): CouplingPlan {
  const mesh = { interface: { dimension: 2 as const, count: 11, layout: "soa" as const, fields: ["T", "flux"] } };
  const args = { nx: 11, ny: 11, dt: 0.01 };
  const components: CouplingPlan["components"] = [
    processComponent(
      "Dirichlet",
      mesh,
      cOrPythonLaunch(
        pair === "c-c",
        programs.dirichlet,
        programs.python,
        "examples/partitioned-heat/dirichlet.py",
        args,
      ),
    ),
    processComponent("Neumann", mesh, cLaunch(programs.neumann, args)),
  ];
  return implicitPair(components, "interface", ["flux", "T"], 0.1, 1e-10, variant);
}

export function tubePlan(variant: Variant, programs: Programs, pair: TubePair = "c-python"): CouplingPlan {
  const mesh = {
    nodes: { dimension: 2 as const, count: 101, layout: "soa" as const, fields: ["pressure", "cross_section"] },
  };
  const args = { cells: 100 };
  const components: CouplingPlan["components"] = [
    processComponent("Fluid", mesh, cLaunch(programs.fluid, args)),
    processComponent(
      "Solid",
      mesh,
      cOrPythonLaunch(pair === "c-c", programs.solid, programs.python, "examples/elastic-tube-1d/solid.py", args),
    ),
  ];
  return implicitPair(components, "nodes", ["pressure", "cross_section"], 0.01, 1e-5, variant);
}
