// The processor a run saw, from /proc/cpuinfo: model, microcode and every
// feature flag. The flags matter to results, not only to speed: glibc's libm
// picks FMA or non-FMA code for exp, log, sin, pow at load time from them, and
// BLAS libraries pick their kernels the same way.
import { readFileSync } from "node:fs";
import { cpus } from "node:os";

export interface CpuFacts {
  model: string;
  microcode?: string;
  flags: string[];
}

let host: CpuFacts | undefined;

/** The host's first CPU (all CPUs of one machine report the same model and flags). */
export function hostCpu(): CpuFacts {
  if (host !== undefined) return host;
  let text = "";
  try {
    text = readFileSync("/proc/cpuinfo", "utf8");
  } catch {
    // not Linux, or /proc not mounted: the model from node is all there is
  }
  const first = text.split(/\n\s*\n/)[0] ?? "";
  const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.*)$`, "m").exec(first)?.[1]?.trim();
  const microcode = field("microcode");
  host = {
    model: field("model name") ?? cpus()[0]?.model ?? "unknown",
    ...(microcode === undefined ? {} : { microcode }),
    flags: (field("flags") ?? field("Features") ?? "").split(/\s+/).filter((flag) => flag !== ""),
  };
  return host;
}

/** The flags that change floating-point code paths: SIMD widths, fused multiply-add, half precision. */
export function floatingPointFeatures(flags: readonly string[]): string[] {
  return flags.filter((flag) =>
    /^(fpu|sse|sse2|pni|ssse3|sse4_1|sse4_2|sse4a|avx.*|fma|fma4|f16c|amx.*|asimd.*|fphp|sve.*)$/.test(flag),
  );
}
