// The layer rules of src/, checked by `npm run lint:layers` (dependency-cruiser)
// in CI beside tsc and biome. docs/architecture.md draws the same map.
//
// Each folder may import only the folders listed after it; nothing else of
// src/, and nothing outside src/. Type-only imports count: a type is a
// dependency too.
//
//   native     -                                  the addon's contract
//   wire       -                                  shared-memory layouts, protocol constants
//   stats      -                                  distributions, tables
//   mapping    native                             transfer operators (arithmetic; numeric kernels in the addon)
//   bspline    -                                  interpolation in time (a waveform's weights)
//   compose    mapping meshfile                   the composition file (its operators are mapping's; mesh files it names are read)
//   meshfile   mapping                            mesh files read (CSV, VTU, VTK, Gmsh), VTU series written
//   platform   native                             host facts, small helpers
//   shm        native wire                        segments, run directory, registry, arena, meshes
//   queue      native wire shm                    rings, channels, waits, peers
//   component  wire shm queue bspline             the SDK (and, through them, native)
//   stack      native platform                    container root filesystems
//   enclave    native platform wire shm           where a component runs
//   cluster    native platform wire shm queue enclave mapping    a component on another node: relay, agent, frames,
//              and the operators its agent applies there (the mapping's own, for the one-node sums)
//   coupling   native wire shm queue enclave mapping stats bspline
//   record     platform wire shm enclave compose stats    the run record
//   runner     platform wire shm enclave stack compose mapping meshfile coupling stats record cluster
//   bundle     platform stack compose record       a composition with its files and stacks as one archive (conflux pack)
//   repro      verify/: wire enclave compose runner record    (a replay is a run)
//              export/: record
//   bench      native platform wire shm queue component enclave mapping coupling stats bspline record cluster (its frames)
//   diagram    compose                            pictures of a composition (conflux graph)
//   scaffold   platform                           a new component and its composition (conflux init)
//   report     compose record diagram stats       pages about a run (conflux report): page data, sections, shell, charts
//   view       platform wire shm compose diagram coupling record report stats    a run in the browser, live or finished (conflux view, run --view)
//   cli        every folder but component (commands only: parse, call, print)
//
// Inside folders:
//   - enclave/: a backend (thread/, process/, container/, vm/) imports the
//     enclave's own top files and platform, never another backend, nor
//     create-enclave.ts, requirements.ts or index.ts, which import backends.
//     Other folders import the top files; of a backend, only its settings (what
//     a launch may carry) and vm/image/ (what `conflux vm build` makes).
//   - mapping/: other folders import index.ts alone (and operators/transfer-options.ts,
//     the option table, which `conflux map` declares its flags from without loading the operators). spatial/, linalg/ and
//     threads/ stand on mapping-error.ts, array-memory.ts and numeric-backend.ts
//     (which reaches the addon's numeric kernels) only; kernels/ on them;
//     operators/ on all.
//   - component/: everything a component loads stays within component, wire,
//     shm, queue, bspline and native (test/component/module-count.test.ts counts it).
//   - no cycles, anywhere.
const layers = {
  native: [],
  wire: [],
  stats: [],
  mapping: ["native"],
  bspline: [],
  compose: ["mapping", "meshfile"],
  meshfile: ["mapping"],
  platform: ["native"],
  shm: ["native", "wire"],
  queue: ["native", "wire", "shm"],
  component: ["wire", "shm", "queue", "bspline"],
  stack: ["native", "platform"],
  enclave: ["native", "platform", "wire", "shm"],
  cluster: ["native", "platform", "wire", "shm", "queue", "enclave", "mapping"],
  coupling: ["native", "wire", "shm", "queue", "enclave", "mapping", "stats", "bspline"],
  record: ["platform", "wire", "shm", "enclave", "compose", "stats"],
  runner: [
    "platform",
    "wire",
    "shm",
    "enclave",
    "stack",
    "compose",
    "mapping",
    "meshfile",
    "coupling",
    "stats",
    "record",
    "cluster",
  ],
  bundle: ["platform", "stack", "compose", "record"],
  "repro/verify": ["wire", "enclave", "compose", "runner", "record"],
  "repro/export": ["record"],
  bench: [
    "native",
    "platform",
    "wire",
    "shm",
    "queue",
    "component",
    "enclave",
    "mapping",
    "coupling",
    "stats",
    "bspline",
    "record",
    "cluster",
  ],
  diagram: ["compose"],
  scaffold: ["platform"],
  report: ["compose", "record", "diagram", "stats"],
  view: ["platform", "wire", "shm", "compose", "diagram", "coupling", "record", "report", "stats"],
  cli: [
    "report",
    "view",
    "bundle",
    "diagram",
    "scaffold",
    "native",
    "platform",
    "wire",
    "shm",
    "queue",
    "stack",
    "enclave",
    "stats",
    "compose",
    "mapping",
    "meshfile",
    "bspline",
    "coupling",
    "record",
    "runner",
    "repro",
    "bench",
    "cluster",
  ],
};

const layerRules = Object.entries(layers).map(([folder, allowed]) => ({
  name: `layer-${folder.replace("/", "-")}`,
  comment: `src/${folder}/ may import ${allowed.length === 0 ? "nothing else of src/" : `only ${allowed.join(", ")}`}`,
  severity: "error",
  from: { path: `^src/${folder}/` },
  to: {
    path: "^src/",
    pathNot: [`^src/${folder}/`, ...allowed.map((other) => `^src/${other}/`)],
  },
}));

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "modules that import each other in a loop cannot be understood, or moved, one at a time",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "src-stays-in-src",
      comment: "the library never imports its examples, tests, clients or command-line wrapper",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^(examples|test|clients|bin|guest|container)/" },
    },
    {
      name: "no-unresolvable",
      comment: "an import that resolves to nothing",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: "no-dev-dependencies",
      comment: "src/ is shipped: it may use the package's dependencies, not its devDependencies",
      severity: "error",
      from: { path: "^src/" },
      to: { dependencyTypes: ["npm-dev"] },
    },
    ...layerRules,
    {
      name: "sdk-closure",
      comment:
        "a TypeScript component loads the SDK and what stands under it, never the launcher, a backend or the driver",
      severity: "error",
      from: { path: "^src/component/" },
      to: { path: "^src/(?!(component|wire|shm|queue|native|bspline)/)", reachable: true },
    },
    {
      name: "enclave-backends-stand-alone",
      comment:
        "a backend uses the enclave's top files, never another backend nor the modules that import every backend",
      severity: "error",
      from: { path: "^src/enclave/(thread|process|container|vm)/" },
      to: { path: "^src/enclave/(create-enclave|requirements|index)\\.ts$" },
    },
    {
      name: "enclave-backends-apart",
      comment: "one backend never imports another",
      severity: "error",
      from: { path: "^src/enclave/(thread|process|container|vm)/" },
      to: { path: "^src/enclave/(thread|process|container|vm)/", pathNot: "^src/enclave/$1/" },
    },
    {
      name: "enclave-backends-private",
      comment:
        "outside enclave/, a backend is reached through createEnclave; only its settings and the VM image are public",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/enclave/" },
      to: {
        path: "^src/enclave/(thread|process|container|vm)/",
        pathNot: ["^src/enclave/(container|vm)/settings\\.ts$", "^src/enclave/vm/image/"],
      },
    },
    {
      name: "mapping-surface",
      comment:
        "other folders use mapping/ through index.ts, so its rooms can change inside; and transfer-options.ts, the option names and descriptions a command line declares without loading the operators",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/mapping/" },
      to: {
        path: "^src/mapping/",
        pathNot: ["^src/mapping/index\\.ts$", "^src/mapping/operators/transfer-options\\.ts$"],
      },
    },
    {
      name: "mapping-rooms-below-the-top",
      comment: "spatial/, linalg/, threads/, kernels/ and operators/ never import mapping's public surface",
      severity: "error",
      from: { path: "^src/mapping/[^/]+/" },
      to: { path: "^src/mapping/(index|csv-format)\\.ts$" },
    },
    {
      name: "mapping-foundations",
      comment: "spatial/, linalg/ and threads/ stand on mapping-error.ts, array-memory.ts and numeric-backend.ts alone",
      severity: "error",
      from: { path: "^src/mapping/(spatial|linalg|threads)/" },
      to: {
        path: "^src/mapping/",
        pathNot: [
          "^src/mapping/$1/",
          "^src/mapping/mapping-error\\.ts$",
          "^src/mapping/array-memory\\.ts$",
          "^src/mapping/numeric-backend\\.ts$",
        ],
      },
    },
    {
      name: "mapping-kernels-below-operators",
      comment: "kernels and the systems built from them know no transfer operator",
      severity: "error",
      from: { path: "^src/mapping/kernels/" },
      to: { path: "^src/mapping/operators/" },
    },
  ],
  options: {
    // TypeScript 7 has no compiler API for dependency-cruiser; swc parses the sources, type-only imports included.
    parser: "swc",
    doNotFollow: { path: "node_modules" },
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      extensions: [".ts", ".js", ".mjs"],
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
