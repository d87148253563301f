// What a test needs from this machine beyond what the README's first command
// needs (Node and a C compiler), decided in one place for the whole suite.
//
// A test that needs a Debian package declares it: `test(name, needs(QEMU), fn)`,
// or `describe(...)` for a group. When the package is missing the test is
// skipped, and the reason names the package, what is missing and the fix, and
// points to `conflux doctor`. With CONFLUX_TEST_REQUIRE=all (CI, where
// .ci/run installs every package) the same test fails instead, with that
// reason, so a machine that lacks something cannot pass by skipping.
//
// What is no Debian package (preCICE, built by hand; a condition of the host
// or of the checkout) is declared the same way as `optional(...)` or with
// `skipBecause(...)`: skipped with its reason, also under CONFLUX_TEST_REQUIRE=all.
import { spawnSync } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { findScipyPython } from "../../src/bench/map-peers/scipy-peer.ts";
import { findPrecice } from "../../src/bench/precice-heat/precice-installation.ts";
import { probeContainerRuntime } from "../../src/enclave/container/probe.ts";
import { cgroupHost } from "../../src/enclave/resources/cgroup-host.ts";
import { findGuestKernel } from "../../src/enclave/vm/image/guest-kernel.ts";
import { compilerCommand } from "../../src/platform/c-compiler.ts";
import { findExecutable } from "../../src/platform/executable.ts";
import { parentDeathPrefix } from "../../src/platform/parent-death-signal.ts";
import { debianMirror } from "../../src/stack/debian-mirror.ts";
import { debootstrapMissing } from "../../src/stack/debootstrap.ts";

export const REQUIRE_VARIABLE = "CONFLUX_TEST_REQUIRE";

/** Something a test needs: the Debian package that brings it, and a probe saying what is missing. */
export interface Requirement {
  /** The Debian package (`apt-get install -y <package>`), or a name for what is not one. */
  readonly package: string;
  /** False for what CI does not install (preCICE): skipped even under CONFLUX_TEST_REQUIRE=all. */
  readonly debian: boolean;
  /** Why it is not usable here ("bwrap is not on PATH"), or undefined when it is. Probed once per process. */
  missing(): string | undefined;
}

function requirement(packageName: string, probe: () => string | undefined, debian = true): Requirement {
  let answer: { missing: string | undefined } | undefined;
  return {
    package: packageName,
    debian,
    missing() {
      answer ??= { missing: probe() };
      return answer.missing;
    },
  };
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(program: string): string | undefined {
  return findExecutable(program) === undefined ? `${program} is not on PATH` : undefined;
}

/** A python3 of 3.11 or later (the Python client's floor): python3 on PATH, else the system's. */
export function pythonCommand(): string | undefined {
  for (const python of ["python3", "/usr/bin/python3"]) {
    const probe = spawnSync(python, ["-c", "import sys; assert sys.version_info >= (3, 11)"], { stdio: "ignore" });
    if (probe.status === 0) return python;
  }
  return undefined;
}

let anyPythonFound: { python: string | undefined } | undefined;

/** Any python3 of 3.9 or later, for scripts that need only the standard library. */
export function anyPython(): string | undefined {
  anyPythonFound ??= {
    python: ["python3", "/usr/bin/python3"].find(
      (candidate) =>
        spawnSync(candidate, ["-c", "import sys; assert sys.version_info >= (3, 9)"], { stdio: "ignore" }).status === 0,
    ),
  };
  return anyPythonFound.python;
}

let numpyPythonFound: { python: string | undefined } | undefined;

/** A python3 (3.11 or later) that imports a working numpy (an empty namespace package does not count). */
export function numpyPython(): string | undefined {
  if (numpyPythonFound === undefined) {
    const python = ["python3", "/usr/bin/python3"].find(
      (candidate) =>
        spawnSync(candidate, ["-c", "import sys, numpy; assert sys.version_info >= (3, 11); numpy.zeros(1)"], {
          stdio: "ignore",
        }).status === 0,
    );
    numpyPythonFound = { python };
  }
  return numpyPythonFound.python;
}

/** Whether `python` imports a working numpy. */
export function pythonHasNumpy(python: string): boolean {
  return spawnSync(python, ["-c", "import numpy; numpy.zeros(1)"], { stdio: "ignore" }).status === 0;
}

function staticLink(): string | undefined {
  const compiler = compilerCommand();
  if (compiler === undefined) return "there is no C compiler";
  const probe = spawnSync(compiler, ["-static", "-x", "c", "-o", "/dev/null", "-"], {
    input: "int main(void) { return 0; }\n",
    encoding: "utf8",
  });
  return probe.status === 0 ? undefined : `${compiler} cannot link a static program (no libc.a)`;
}

/**
 * How the C client's own tests build it under AddressSanitizer and UndefinedBehaviorSanitizer: every error is
 * fatal (-fno-sanitize-recover=all). GCC leaves float-cast-overflow out of -fsanitize=undefined; it is named.
 */
export const SANITIZER_FLAGS = [
  "-fsanitize=address,undefined,float-cast-overflow",
  "-fno-sanitize-recover=all",
  "-fno-omit-frame-pointer",
  "-g",
];

/** What a sanitized program runs with: a report ends it with its own exit code, after a stack trace. */
export const SANITIZER_ENVIRONMENT: Record<string, string> = {
  ASAN_OPTIONS: "detect_leaks=1:exitcode=86:abort_on_error=0:strict_string_checks=1",
  UBSAN_OPTIONS: "print_stacktrace=1:halt_on_error=1:exitcode=87",
};

function sanitizers(): string | undefined {
  const compiler = compilerCommand();
  if (compiler === undefined) return "there is no C compiler";
  const directory = mkdtempSync(join(tmpdir(), "conflux-probe-"));
  try {
    const source = join(directory, "probe.c");
    writeFileSync(source, '#include <stdio.h>\nint main(void) { puts("sanitized"); return 0; }\n');
    const binary = join(directory, "probe");
    const built = spawnSync(compiler, [...SANITIZER_FLAGS, source, "-o", binary], { encoding: "utf8" });
    if (built.status !== 0) {
      return `${compiler} cannot build with ${SANITIZER_FLAGS[0]} (${built.stderr.trim().split("\n")[0]}; Debian's gcc brings libasan and libubsan)`;
    }
    const ran = spawnSync(binary, [], { encoding: "utf8", env: { ...process.env, ...SANITIZER_ENVIRONMENT } });
    return ran.status === 0 && ran.stdout === "sanitized\n"
      ? undefined
      : `a program built with ${SANITIZER_FLAGS[0]} does not run (${ran.stderr.trim().split("\n")[0]})`;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

function containerRuntime(program: string, runtime: "bubblewrap" | "crun"): () => string | undefined {
  return () => {
    const absent = onPath(program);
    if (absent !== undefined) return absent;
    const probe = probeContainerRuntime(runtime);
    return probe.ok ? undefined : `${program} does not run a container here: ${probe.detail}`;
  };
}

// What the README's first command needs: a machine without these cannot build the addon.
export const C_COMPILER = requirement("gcc", () =>
  compilerCommand() === undefined ? "there is no C compiler (cc, gcc or clang)" : undefined,
);
export const MAKE = requirement("make", () => onPath("make"));
export const PYTHON = requirement("python3", () =>
  pythonCommand() === undefined ? "there is no python3 of 3.11 or later" : undefined,
);

// The clients' and examples' toolchains.
/** For scripts that need only Python's standard library. */
export const PYTHON_SCRIPTS = requirement("python3", () =>
  anyPython() === undefined ? "there is no python3 of 3.9 or later" : undefined,
);
export const PKG_CONFIG = requirement("pkg-config", () => onPath("pkg-config"));
/** The system Python's pip and setuptools, which install the Python client from clients/python (its pyproject.toml). */
export const SYSTEM_PYTHON = "/usr/bin/python3";
export const PIP = requirement("python3-pip", () =>
  spawnSync(SYSTEM_PYTHON, ["-m", "pip", "--version"], { stdio: "ignore" }).status === 0
    ? undefined
    : `${SYSTEM_PYTHON} -m pip does not run`,
);
export const SETUPTOOLS = requirement("python3-setuptools", () =>
  spawnSync(SYSTEM_PYTHON, ["-c", "import setuptools"], { stdio: "ignore" }).status === 0
    ? undefined
    : `${SYSTEM_PYTHON} cannot import setuptools`,
);
/** Open MPI's launcher, for components of many ranks started with launcher: mpirun. */
export const OPEN_MPI = requirement("openmpi-bin", () => onPath("mpirun"));
/** A simulated Slurm cluster (scripts/simulated-cluster.sh): Slurm's daemons and clients, munge, and root for namespaces. */
export const SLURM = requirement("slurm-wlm", () => {
  for (const program of ["slurmctld", "slurmd", "srun", "sbatch", "munged", "unshare", "nsenter", "ip"]) {
    const missing = onPath(program);
    if (missing !== undefined) return missing;
  }
  return process.getuid?.() === 0 ? undefined : "a simulated cluster's namespaces need root";
});
/** Open MPI's compiler wrapper, for C components written against MPI. */
export const MPI_COMPILER = requirement("libopenmpi-dev", () => onPath("mpicc"));
/** Debian's mpi4py (python3-mpi4py) lives in the system's python3, beside its numpy. */
export const MPI_PYTHON = "/usr/bin/python3";
export const MPI4PY = requirement("python3-mpi4py", () =>
  spawnSync(MPI_PYTHON, ["-c", "import mpi4py, numpy"], { stdio: "ignore" }).status === 0
    ? undefined
    : `${MPI_PYTHON} does not import mpi4py and numpy`,
);
export const GFORTRAN = requirement("gfortran", () => onPath("gfortran"));
export const NUMPY = requirement("python3-numpy", () =>
  numpyPython() === undefined ? "no python3 of 3.11 or later imports numpy" : undefined,
);
/** scipy (python3-scipy) for `bench map --peer scipy`: cKDTree and RBFInterpolator, in python3 on PATH or the system's. */
export const SCIPY = requirement("python3-scipy", () =>
  findScipyPython() === undefined ? "no python3 imports scipy.spatial and scipy.interpolate" : undefined,
);
/** Debian's meshio (python3-meshio), the independent reader of the VTU files Conflux writes; it lives in the system's python3. */
export const MESHIO_PYTHON = "/usr/bin/python3";
export const MESHIO = requirement("python3-meshio", () =>
  spawnSync(MESHIO_PYTHON, ["-c", "import meshio, numpy; meshio.Mesh(numpy.zeros((1, 3)), [])"], { stdio: "ignore" })
    .status === 0
    ? undefined
    : `${MESHIO_PYTHON} does not import meshio`,
);
/** GCC itself, where a test reads what only GCC writes (its GIMPLE dump). */
export const GCC = requirement("gcc", () => {
  const compiler = compilerCommand();
  if (compiler === undefined) return "there is no C compiler";
  const version = spawnSync(compiler, ["--version"], { encoding: "utf8" }).stdout ?? "";
  return /gcc|GCC|Free Software Foundation/.test(version) ? undefined : `${compiler} is not GCC`;
});
/** libasan and libubsan come with Debian's gcc. */
export const SANITIZERS = requirement("gcc", sanitizers);
/** objcopy, for the check of the Python client's embedded machine code. */
export const BINUTILS = requirement("binutils", () => onPath("objcopy"));
/** libc.a: the VM guest agent and crun's container init are static programs. */
export const STATIC_LIBC = requirement("libc6-dev", staticLink);
/** setpriv --pdeathsig: a component dies with its driver even when the driver is SIGKILLed. */
export const SETPRIV = requirement("util-linux", () =>
  parentDeathPrefix().length > 0 ? undefined : "setpriv --pdeathsig does not work here (util-linux 2.33 or later)",
);

/** Enclave limits need cgroups the driver may write: a host fact (root, the tree mounted), not a package. */
export const CGROUPS = requirement(
  "cgroups",
  () => {
    const host = cgroupHost();
    return host.version === 0 ? host.reason : undefined;
  },
  false,
);

// Images users already have, and the OCI tools that make, read and run them (conflux stack import/export).
export const BUILDAH = requirement("buildah", () => onPath("buildah"));
export const SKOPEO = requirement("skopeo", () => onPath("skopeo"));
export const UMOCI = requirement("umoci", () => onPath("umoci"));
export const PODMAN = requirement("podman", () => onPath("podman"));

// Container enclaves and their stacks.
export const BUBBLEWRAP = requirement("bubblewrap", containerRuntime("bwrap", "bubblewrap"));
export const CRUN = requirement("crun", containerRuntime("crun", "crun"));
export const DEBOOTSTRAP = requirement("debootstrap", debootstrapMissing);

let mirrorAnswer: Promise<string | undefined> | undefined;

/**
 * Why the Debian mirror a stack build downloads from cannot be reached, or undefined when it can: the network,
 * which no package brings, so a test gates on it with skipBecause() (skipped, also under CONFLUX_TEST_REQUIRE=all).
 * Asked once per process, and only when debootstrap can run (otherwise that is the reason).
 */
export function debianMirrorUnreachable(): Promise<string | undefined> {
  mirrorAnswer ??= (async () => {
    if (DEBOOTSTRAP.missing() !== undefined) return undefined;
    const mirror = debianMirror();
    try {
      const response = await fetch(`${mirror}/dists/bookworm/InRelease`, {
        method: "HEAD",
        signal: AbortSignal.timeout(15_000),
      });
      return response.ok ? undefined : `the Debian mirror ${mirror} answered ${response.status}`;
    } catch (error) {
      return `the Debian mirror ${mirror} is unreachable (${(error as Error).message})`;
    }
  })();
  return mirrorAnswer;
}

// VM enclaves.
export const QEMU = requirement("qemu-system-x86", () => onPath("qemu-system-x86_64"));
export const GUEST_KERNEL = requirement("linux-image-cloud-amd64", () => {
  const kernel = findGuestKernel();
  return kernel === undefined ? "there is no /boot/vmlinuz-*-cloud-amd64 (nor CONFLUX_VM_KERNEL)" : undefined;
});
export const BUSYBOX = requirement("busybox-static", () =>
  findExecutable("busybox") !== undefined || isExecutable("/bin/busybox") ? undefined : "there is no busybox",
);
/** Everything kind vm needs, as `conflux doctor` checks it. */
export const VM: readonly Requirement[] = [QEMU, GUEST_KERNEL, BUSYBOX, STATIC_LIBC];

/** What a container runtime needs: crun builds a small static init for the container, so libc.a too. */
export function containerNeeds(runtime: "bubblewrap" | "crun"): readonly Requirement[] {
  return runtime === "crun" ? [CRUN, STATIC_LIBC] : [BUBBLEWRAP];
}

/** What an enclave kind needs beyond Node and a C compiler, as `conflux doctor` checks it. */
export function enclaveNeeds(kind: "thread" | "process" | "container" | "vm"): readonly Requirement[] {
  if (kind === "container") return containerNeeds("bubblewrap");
  if (kind === "vm") return VM;
  return [];
}

/** Not a Debian package here: installed by hand under /opt or PRECICE_ROOT; never required. */
export const PRECICE = requirement(
  "preCICE",
  () =>
    findPrecice() === undefined
      ? "preCICE is not installed (set PRECICE_ROOT, or install it where pkg-config finds libprecice)"
      : undefined,
  false,
);

/** Whether CONFLUX_TEST_REQUIRE=all asks for every test to run (CI). */
export function everythingRequired(): boolean {
  return process.env[REQUIRE_VARIABLE] === "all";
}

type Needs = readonly (Requirement | readonly Requirement[])[];

function unmetOf(requirements: Needs): Requirement[] {
  return requirements.flat().filter((need) => need.missing() !== undefined);
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** Why `requirements` are not all met, in words a user can act on; undefined when they are. */
export function unmet(...requirements: Needs): string | undefined {
  const lacking = unmetOf(requirements);
  if (lacking.length === 0) return undefined;
  const names = unique(lacking.map((need) => need.package));
  const reasons = unique(lacking.map((need) => need.missing() as string));
  const debian = unique(lacking.filter((need) => need.debian).map((need) => need.package));
  const fix =
    debian.length === 0
      ? ""
      : `; apt-get install -y ${debian.join(" ")}; \`npx conflux doctor\` says what this machine lacks`;
  return `needs ${names.join(", ")} (${reasons.join("; ")})${fix}`;
}

/** Whether a Debian package among `requirements` is missing: CONFLUX_TEST_REQUIRE=all then fails the test. */
function demanded(requirements: Needs): boolean {
  return everythingRequired() && unmetOf(requirements).some((need) => need.debian);
}

/** node:test options that decide whether a test runs: nothing, a skip with its reason, or a failure before it runs. */
export interface Gate {
  skip?: string;
  signal?: AbortSignal;
}

/** node:test options with an abort signal that fails the test with `message` before it runs. */
function failing(message: string): Gate {
  // A signal of its own for every test that reads the options (one shared by a contract's tests
  // would collect a listener per test).
  return {
    get signal() {
      return AbortSignal.abort(new Error(message));
    },
  };
}

/**
 * node:test options for a test or suite that needs `requirements`: none when
 * they are met; a skip naming what is missing; under CONFLUX_TEST_REQUIRE=all,
 * a failure with the same words for every Debian package (the test does not run).
 */
export function needs(...requirements: Needs): Gate {
  const reason = unmet(...requirements);
  if (reason === undefined) return {};
  return demanded(requirements) ? failing(`${REQUIRE_VARIABLE}=all, but this test ${reason}`) : { skip: reason };
}

/**
 * For a test that learns what it needs only once it runs: true when
 * `requirements` are met; otherwise skips `t` (or, under
 * CONFLUX_TEST_REQUIRE=all, throws) with the reason, and returns false.
 */
export function meets(t: TestContext, ...requirements: Needs): boolean {
  const reason = unmet(...requirements);
  if (reason === undefined) return true;
  if (demanded(requirements)) throw new Error(`${REQUIRE_VARIABLE}=all, but this test ${reason}`);
  t.skip(reason);
  return false;
}

/**
 * A skip for a reason that is no package: a condition of this host or checkout
 * that CI does not promise either (the checkout unreadable to another user, an
 * API still to come). Given here so that every skip of the suite is decided in
 * this module and says why.
 */
export function skipBecause<Options extends object>(
  reason: string | undefined,
  otherwise: Options = {} as Options,
): Options | { skip: string } {
  return reason === undefined ? otherwise : { skip: reason };
}

/** skipBecause() for a test that learns the reason only once it runs: skips `t` with it. */
export function skipNow(t: TestContext, reason: string): void {
  t.skip(reason);
}

/** Debian's Chromium, which the view's page tests drive headless (puppeteer-core, which downloads no browser). */
export const CHROMIUM = requirement("chromium", () => onPath("chromium"));
