// A new process or thread inherits the CPU affinity of the thread that creates
// it. Pinning the creating thread for the moment of creation therefore pins the
// component, and every thread it starts, before its first instruction, which
// sched_setaffinity on it afterwards could not promise.
import { native } from "../native/index.ts";

/**
 * Runs `create` with the calling thread pinned to `cpus` (when given), then
 * gives the thread its own CPUs back. A CPU set the kernel refuses becomes an
 * error that names the component and the CPUs this process may use.
 */
export function createPinned<T>(component: string, cpus: readonly number[] | undefined, create: () => T): T {
  if (cpus === undefined) return create();
  const own = native.getAffinity(0);
  try {
    native.setAffinity(0, cpus);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `component ${component}: cannot pin to CPUs ${cpus.join(", ")} (${reason}); this process may use CPUs ${own.join(", ")}`,
    );
  }
  try {
    return create();
  } finally {
    native.setAffinity(0, own);
  }
}
