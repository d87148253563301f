// What one running process of a run ran on, captured while it runs (the
// driver calls onReady once every component has connected): kernel, CPU,
// the executable and every library it has loaded, each with its SHA-256, the
// compilers that built them, the C library, the Node runtime for module
// components, the stack or image the backend names, and the floating-point
// settings that can be seen from outside.
import { realpathSync } from "node:fs";
import { release, version } from "node:os";
import type { EnclaveDescription } from "../enclave/environment-description.ts";
import { type CLibrary, cLibraryOf } from "./c-library.ts";
import { hostCpu } from "./cpu-facts.ts";
import { elfFacts } from "./elf-facts.ts";
import { type HashedFile, hashFile } from "./file-digest.ts";
import { type FloatingPointSettings, floatingPointSettings, nodeOptionsOf } from "./floating-point-settings.ts";
import { loadedImage } from "./process-maps.ts";
import { type NodeRuntime, nodeRuntime } from "./software-versions.ts";

export interface LoadedFile extends HashedFile {
  /** Compilers named in the file's ELF .comment section. */
  compilers?: string[];
  /** The file was deleted or replaced after the process mapped it: the digest is of what is there now, if anything. */
  replaced?: true;
}

export interface EnclaveEnvironment {
  kernel: { release: string; build?: string };
  cpu: { model: string; microcode?: string; flags: string[] };
  executable?: LoadedFile & { interpreter?: string };
  libc: CLibrary;
  /** Every compiler named by the executable and its libraries, distinct, in the order found. */
  compilers: string[];
  /** Node and its TypeScript loader, for a process running node (module components, the driver). */
  runtime?: NodeRuntime;
  /** Every other file the process had mapped: shared libraries, native addons, locale data. */
  libraries: LoadedFile[];
  /** The container stack or VM image, as the backend describes it. */
  software?: EnclaveDescription["software"];
  floatingPoint: FloatingPointSettings;
  /** Why the loaded files could not be read (the process ended first, or is not ours to inspect). */
  error?: string;
}

/**
 * Captures process `pid`. `exclude` names directories whose mapped files are
 * data, not code (the run's shared-memory directory). For a thread enclave,
 * pid is the driver's own.
 */
export function captureEnvironment(
  pid: number,
  description: Pick<EnclaveDescription, "kernel" | "commandLine" | "env" | "cpuFlags" | "software">,
  exclude: readonly string[] = [],
): EnclaveEnvironment {
  const cpu = hostCpu();
  const flags = description.cpuFlags ?? cpu.flags;
  // A VM's description names the guest's kernel; the build string we can read is the host's.
  const kernel =
    description.kernel === release() ? { release: release(), build: version() } : { release: description.kernel };
  const environment: EnclaveEnvironment = {
    kernel,
    cpu: { model: cpu.model, ...(cpu.microcode === undefined ? {} : { microcode: cpu.microcode }), flags },
    libc: { family: "none" },
    compilers: [],
    libraries: [],
    ...(description.software === undefined ? {} : { software: description.software }),
    floatingPoint: floatingPointSettings(description.env, flags, []),
  };
  let image: ReturnType<typeof loadedImage>;
  try {
    image = loadedImage(pid, exclude);
  } catch (error) {
    environment.error = `cannot read the loaded files of pid ${pid}: ${(error as Error).message}`;
    return environment;
  }
  const replaced = new Set(image.replaced);
  const describeFile = (path: string): LoadedFile => {
    const file: LoadedFile = hashFile(path, image.root + path);
    const facts = elfFacts(image.root + path);
    if (facts !== undefined && facts.compilers.length > 0) file.compilers = facts.compilers;
    if (replaced.has(path)) file.replaced = true;
    for (const compiler of facts?.compilers ?? []) {
      if (!environment.compilers.includes(compiler)) environment.compilers.push(compiler);
    }
    return file;
  };
  if (image.executable !== undefined) {
    const interpreter = elfFacts(image.root + image.executable)?.interpreter;
    environment.executable = {
      ...describeFile(image.executable),
      ...(interpreter === undefined ? {} : { interpreter }),
    };
  }
  environment.libraries = image.files.map(describeFile);
  environment.libc = cLibraryOf(image.files, image.root);
  if (image.executable !== undefined && image.root === "" && image.executable === realpathSync(process.execPath)) {
    environment.runtime = nodeRuntime();
    environment.floatingPoint = floatingPointSettings(
      description.env,
      flags,
      pid === process.pid ? process.execArgv : nodeOptionsOf(description.commandLine, process.execPath),
    );
  }
  return environment;
}
