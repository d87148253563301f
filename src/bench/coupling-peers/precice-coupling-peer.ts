// The preCICE peer of `bench coupling`: preCICE's two-participant benchmark
// (bin/precice-bench of the installation, or the same program built here from
// precice_coupling_bench.cpp against it when the installation has none) run as
// a pair per measurement on the bench's scenario: as many random points per
// side, the same operator, as many windows after as many warm-up windows. A
// measurement is one pair; its windows are A's advance() times, as ours are
// the windows seen by A, and its
// setup is preCICE's initialize (the mesh exchange and the mappings' setup),
// the later of the two participants'.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Distribution, summarize } from "../../stats/distribution.ts";
import type { CouplingOperator } from "../coupling.ts";
import { throwIfPairFailed } from "../precice-heat/pair-failure.ts";
import { PRECICE_RUNTIME_PACKAGES, runPreciceParticipants } from "../precice-heat/precice-heat.ts";
import { findPrecice, type PreciceInstallation } from "../precice-heat/precice-installation.ts";
import { preciceCouplingConfig } from "./precice-coupling-config.ts";

const SOURCE = fileURLToPath(new URL("./precice_coupling_bench.cpp", import.meta.url));

export interface PreciceCouplingMeasurement {
  /** A's advance() per window, µs. */
  distribution: Distribution;
  /** preCICE's initialize, ms: the later of A's and B's. */
  initializeMs: number;
  /** A's largest |returned − 2f| in the last window. */
  maxError: number;
}

/** One participant's BENCH line, as key=value pairs. */
function benchLine(output: string): Map<string, string> {
  const line = output.split("\n").find((text) => text.startsWith("BENCH "));
  const fields = new Map<string, string>();
  for (const pair of (line ?? "").slice("BENCH ".length).split(" ")) {
    const [key, value] = pair.split("=");
    if (key !== undefined && value !== undefined) fields.set(key, value);
  }
  return fields;
}

/** The C++ compiler that builds the benchmark when the installation has none: $CXX, then c++, g++, clang++. */
function cxxCompiler(): string | undefined {
  return [process.env.CXX, "c++", "g++", "clang++"].find(
    (compiler) =>
      compiler !== undefined && compiler !== "" && spawnSync(compiler, ["--version"], { stdio: "ignore" }).status === 0,
  );
}

export class PreciceCouplingPeer {
  private runs = 0;

  private constructor(
    readonly installation: PreciceInstallation,
    /** Where the benchmark program came from: the installation's, or built here. */
    readonly program: "installed" | "built",
    private readonly binary: string,
    private readonly directory: string,
  ) {}

  /** The peer, its program found or built in `directory` (scratch, the caller removes it); a string says why not. */
  static prepare(directory: string): PreciceCouplingPeer | string {
    const installation = findPrecice();
    if (installation === undefined) {
      return process.env.PRECICE_ROOT
        ? `preCICE is not installed under PRECICE_ROOT (${process.env.PRECICE_ROOT}): no include/precice/preciceC.h and lib/libprecice.so there`
        : "preCICE is not installed: set PRECICE_ROOT to its install prefix, or install it where pkg-config finds libprecice";
    }
    const installed = join(installation.prefix, "bin", "precice-bench");
    let binary = installed;
    let program: "installed" | "built" = "installed";
    if (!existsSync(installed)) {
      const compiler = cxxCompiler();
      if (compiler === undefined) {
        return `preCICE ${installation.version} has no bin/precice-bench, and there is no C++ compiler to build it (apt-get install -y g++)`;
      }
      binary = join(directory, "precice-bench");
      program = "built";
      const library = join(installation.prefix, "lib");
      const build = spawnSync(
        compiler,
        [
          "-O3",
          "-std=c++17",
          SOURCE,
          `-I${join(installation.prefix, "include")}`,
          `-L${library}`,
          "-lprecice",
          `-Wl,-rpath,${library}`,
          "-o",
          binary,
        ],
        { encoding: "utf8", timeout: 300_000 },
      );
      if (build.status !== 0) {
        return `preCICE's two-participant benchmark did not build against preCICE ${installation.version}: ${build.stderr.trim().split("\n").slice(-3).join(" | ")}`;
      }
    }
    // Without arguments the program prints its usage and exits 1, once the loader has found every library.
    const probe = spawnSync(binary, [], { encoding: "utf8", timeout: 30_000 });
    if (probe.status !== 1 || !probe.stderr.includes("usage")) {
      return `preCICE's two-participant benchmark does not start (${probe.stderr.trim() || `exit ${probe.status}`}); preCICE ${installation.version} for Debian 12 needs: apt-get install ${PRECICE_RUNTIME_PACKAGES}`;
    }
    return new PreciceCouplingPeer(installation, program, binary, directory);
  }

  /** One pair: `windows` windows of `points` points per side through `operator`, after `warmup` more. */
  async measure(
    operator: CouplingOperator,
    points: number,
    windows: number,
    warmup: number,
  ): Promise<PreciceCouplingMeasurement> {
    const run = join(this.directory, `run-${this.runs++}`);
    mkdirSync(run);
    try {
      const config = join(run, "precice-config.xml");
      writeFileSync(config, preciceCouplingConfig(operator, warmup + windows, run));
      const prefix = join(run, "pair");
      // Generous against its seconds at the default size: MPI's start, the mesh exchange, 500 RBF-PU windows.
      const timeoutMs = 120_000 + (warmup + windows) * 100;
      const [a, b] = await runPreciceParticipants(
        ["A", "B"].map((name) => ({ command: this.binary, args: [config, name, String(points), prefix] })),
        run,
        timeoutMs,
      );
      throwIfPairFailed(
        [
          ["A", a],
          ["B", b],
        ],
        3,
      );
      const fieldsA = benchLine(a?.output ?? "");
      const fieldsB = benchLine(b?.output ?? "");
      const samples = readFileSync(`${prefix}_A_advance_us.txt`, "utf8")
        .split("\n")
        .filter((line) => line !== "")
        .map(Number);
      if (samples.length !== warmup + windows) {
        throw new Error(`preCICE participant A timed ${samples.length} windows, not ${warmup + windows}`);
      }
      return {
        distribution: summarize(Float64Array.from(samples.slice(warmup))),
        initializeMs: Math.max(Number(fieldsA.get("initialize_ms")), Number(fieldsB.get("initialize_ms"))),
        maxError: Number(fieldsA.get("lastErr")),
      };
    } finally {
      rmSync(run, { recursive: true, force: true });
    }
  }
}
