// What to launch as a component, checked before anything runs, and the
// environment every backend gives it: the run directory, the component's name,
// and its parameters as JSON.
import { accessSync, constants, existsSync } from "node:fs";
import { isAbsolute } from "node:path";
import { findExecutable } from "../platform/executable.ts";
import { isFile } from "../platform/path-kind.ts";
import {
  COMPONENT_ARGS_VARIABLE,
  COMPONENT_NAME_VARIABLE,
  DRIVER_LIVENESS_VARIABLE,
  type DriverLiveness,
  RUN_DIRECTORY_VARIABLE,
} from "../wire/environment.ts";
import type { ResourceLimits } from "./resources/resource-limits.ts";

export interface ComponentLaunch {
  /** The component's name, used in every message. */
  name: string;
  /** Absolute path of a TypeScript or JavaScript module to run. */
  module?: string;
  /** Or an executable and its arguments (process enclaves only). */
  command?: string[];
  /** Free-form parameters, handed over as JSON in CONFLUX_COMPONENT_ARGS. */
  args?: Record<string, unknown>;
  /** Extra environment variables; they cannot override the CONFLUX_ ones set here. */
  env?: Record<string, string>;
  /** CPUs to pin the component to (default: those of the supervisor). */
  cpus?: number[];
  /** Limits for the enclave's cgroup (docs/composition.md, enclave.memory_mib and cpu_weight). */
  resources?: ResourceLimits;
  /** The run directory, exported as CONFLUX_RUN_DIR. */
  runDirectory: string;
  /** Working directory (default: the supervisor's). */
  cwd?: string;
}

/** Rejects a launch description that no backend could run, naming the field. */
export function validateLaunch(launch: ComponentLaunch): void {
  const name = launch.name;
  if (typeof name !== "string" || name.trim() === "") throw new Error("a component launch needs a non-empty name");
  const where = `component ${name}`;
  const hasModule = launch.module !== undefined;
  const hasCommand = launch.command !== undefined;
  if (hasModule === hasCommand) {
    throw new Error(`${where}: give exactly one of module (a TypeScript or JavaScript file) and command`);
  }
  if (hasModule && (typeof launch.module !== "string" || !isAbsolute(launch.module))) {
    throw new Error(`${where}: module must be an absolute path, got ${JSON.stringify(launch.module)}`);
  }
  if (hasCommand && (!Array.isArray(launch.command) || launch.command.length === 0 || launch.command[0] === "")) {
    throw new Error(`${where}: command must be a non-empty list: the executable, then its arguments`);
  }
  if (typeof launch.runDirectory !== "string" || launch.runDirectory === "") {
    throw new Error(`${where}: runDirectory is required (the directory of the run it joins)`);
  }
  if (launch.cpus !== undefined) {
    if (!Array.isArray(launch.cpus) || launch.cpus.length === 0) {
      throw new Error(`${where}: cpus must list at least one CPU number (leave it out to use every CPU)`);
    }
    for (const cpu of launch.cpus) {
      if (!Number.isSafeInteger(cpu) || cpu < 0) {
        throw new Error(`${where}: cpus holds ${JSON.stringify(cpu)}, which is not a CPU number (0, 1, …)`);
      }
    }
  }
  componentArgsJson(launch);
}

function componentArgsJson(launch: ComponentLaunch): string {
  try {
    return JSON.stringify(launch.args ?? {});
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`component ${launch.name}: args cannot be written as JSON (${reason})`);
  }
}

/** The environment the component sees: the supervisor's, the launch's extras, then ours. */
export function componentEnvironment(
  launch: ComponentLaunch,
  driverLiveness: DriverLiveness = "pid",
): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) environment[key] = value;
  Object.assign(environment, launch.env);
  environment[RUN_DIRECTORY_VARIABLE] = launch.runDirectory;
  environment[COMPONENT_NAME_VARIABLE] = launch.name;
  environment[COMPONENT_ARGS_VARIABLE] = componentArgsJson(launch);
  environment[DRIVER_LIVENESS_VARIABLE] = driverLiveness;
  return environment;
}

/**
 * Checks, just before launching, that the files the launch names are there, so
 * the error names the missing path instead of a backend's own failure.
 * Returns the reason it cannot launch, or undefined.
 */
export function missingForLaunch(launch: ComponentLaunch): string | undefined {
  const where = `component ${launch.name}`;
  if (launch.module !== undefined && !isFile(launch.module)) {
    return `${where}: module ${launch.module} does not exist`;
  }
  const executable = launch.command?.[0];
  if (executable !== undefined) {
    const found = executable.includes("/") ? isExecutable(executable) : findExecutable(executable) !== undefined;
    if (!found) {
      const problem = executable.includes("/") ? "is not an executable file" : "is not an executable on PATH";
      return `${where}: command ${executable} ${problem}`;
    }
  }
  if (launch.cwd !== undefined && !existsSync(launch.cwd)) {
    return `${where}: working directory ${launch.cwd} does not exist`;
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return isFile(path);
  } catch {
    return false;
  }
}
