// Which implementation of the numeric kernels the operators run: the addon's
// native ones (native/numeric-kernels.cc: vectorized C++, the default) or the
// TypeScript loops beside them, which stay the reference that the native
// kernels are tested against and what the benchmarks compare them with. The
// choice is read when a setup or solve starts, and worker threads are told it
// with their work, so one setup never mixes the two.
import { native } from "../native/index.ts";

export type NumericBackend = "native" | "typescript";

let current: NumericBackend = "native";

export function numericBackend(): NumericBackend {
  return current;
}

export function setNumericBackend(backend: NumericBackend): void {
  current = backend;
}

/** Runs `body` with `backend` in force, then restores the previous one (also when it throws). */
export function withNumericBackend<T>(backend: NumericBackend, body: () => T): T {
  const previous = current;
  current = backend;
  try {
    return body();
  } finally {
    current = previous;
  }
}

/** The addon's kernels, for the modules that call them. */
export const nativeKernels = native;
