// What the clients in other languages need from this host, checked for real,
// for `conflux doctor`: a C compiler, make and pkg-config for the C client
// (`pkg-config conflux`), gfortran for its Fortran interface, a python3 of
// 3.11 or later for the Python client (numpy makes its fields numpy views);
// and the Python modules the benchmarks and tests use beside ours: scipy (bench
// map's peer) and meshio (an independent reader of the mesh files written here).
import { spawnSync } from "node:child_process";
import { compilerCommand } from "./c-compiler.ts";
import { findExecutable } from "./executable.ts";
import type { Requirement } from "./requirement.ts";

export interface ClientReport {
  client: string;
  usable: boolean;
  requirements: Requirement[];
}

function program(name: string, what: string, debianPackage: string): Requirement {
  const path = findExecutable(name);
  return path === undefined
    ? { what, ok: false, detail: `${name} is not on PATH`, fix: `apt-get install -y ${debianPackage}` }
    : { what, ok: true, detail: path };
}

function cCompiler(): Requirement {
  const compiler = compilerCommand();
  return compiler === undefined
    ? { what: "C compiler", ok: false, detail: "no cc, gcc or clang answers", fix: "apt-get install -y gcc" }
    : { what: "C compiler", ok: true, detail: compiler };
}

/** The first python3 of 3.11 or later on PATH (or the system's), with whether it imports numpy. */
function python(): { python: Requirement; numpy: Requirement } {
  for (const candidate of ["python3", "/usr/bin/python3"]) {
    const probe = spawnSync(
      candidate,
      [
        "-c",
        "import sys\nassert sys.version_info >= (3, 11)\ntry:\n import numpy; numpy.zeros(1); print(numpy.__version__)\nexcept ImportError:\n print('')",
      ],
      { encoding: "utf8", timeout: 20_000 },
    );
    if (probe.status !== 0) continue;
    const numpy = probe.stdout.trim();
    return {
      python: { what: "python3 ≥ 3.11", ok: true, detail: candidate },
      numpy:
        numpy === ""
          ? {
              what: "numpy (optional: fields as numpy arrays)",
              ok: false,
              detail: `${candidate} has no numpy`,
              fix: "apt-get install -y python3-numpy",
            }
          : { what: "numpy (optional: fields as numpy arrays)", ok: true, detail: `numpy ${numpy}` },
    };
  }
  const fix = "apt-get install -y python3";
  return {
    python: { what: "python3 ≥ 3.11", ok: false, detail: "no python3 of 3.11 or later", fix },
    numpy: { what: "numpy (optional: fields as numpy arrays)", ok: false, detail: "no python3", fix },
  };
}

/** Whether Debian's python3 (or the first on PATH) imports `module`, which the package `debianPackage` brings. */
function pythonModule(module: string, what: string, debianPackage: string): Requirement {
  for (const candidate of ["/usr/bin/python3", "python3"]) {
    const probe = spawnSync(candidate, ["-c", `import ${module}; print(${module}.__version__)`], {
      encoding: "utf8",
      timeout: 20_000,
    });
    if (probe.status === 0) return { what, ok: true, detail: `${module} ${probe.stdout.trim()} (${candidate})` };
  }
  return { what, ok: false, detail: `no python3 here imports ${module}`, fix: `apt-get install -y ${debianPackage}` };
}

export function checkClientToolchains(): ClientReport[] {
  const compiler = cCompiler();
  const c = [compiler, program("make", "make", "make"), program("pkg-config", "pkg-config", "pkg-config")];
  const fortran = [compiler, program("gfortran", "gfortran", "gfortran")];
  const { python: interpreter, numpy } = python();
  return [
    { client: "C client (clients/c)", usable: c.every((entry) => entry.ok), requirements: c },
    { client: "Fortran interface (clients/c)", usable: fortran.every((entry) => entry.ok), requirements: fortran },
    // numpy is optional: the client works without it, on memoryviews.
    { client: "Python client (clients/python)", usable: interpreter.ok, requirements: [interpreter, numpy] },
    ...(
      [
        ["scipy", "scipy (bench map's peer)", "python3-scipy"],
        ["meshio", "meshio (reads the VTU files written here, in tests)", "python3-meshio"],
      ] as const
    ).map(([module, what, debianPackage]) => {
      const found = pythonModule(module, what, debianPackage);
      return { client: what, usable: found.ok, requirements: [found] };
    }),
  ];
}
