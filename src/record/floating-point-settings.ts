// What can be known from outside a process about how it does floating point:
// the CPU features its libraries may dispatch on, the V8 flags of a Node
// component (--no-opt, --jitless and the like change code generation, not
// results — V8 never contracts a*b+c into an FMA — but a record should show
// them), and the environment variables that make OpenMP, BLAS and glibc pick
// other code paths or other summation orders. The floating-point control word
// (rounding mode, flush-to-zero) of a native component cannot be read from
// outside; docs/reproducibility.md says so.
import { floatingPointFeatures } from "./cpu-facts.ts";

export interface FloatingPointSettings {
  /** The CPU flags that select floating-point code paths (see cpu-facts.ts). */
  cpuFeatures: string[];
  /** Node/V8 options: from the command line and NODE_OPTIONS; empty for a non-Node component. */
  nodeFlags: string[];
  /** Variables that steer threading, BLAS kernels, glibc's CPU dispatch or the libraries loaded. */
  env: Record<string, string>;
}

/** Variables read by OpenMP runtimes, BLAS/LAPACK builds, glibc and the dynamic loader. */
const NUMERIC_VARIABLE =
  /^(OMP_|GOMP_|KMP_|MKL_|OPENBLAS_|GOTO_|BLIS_|VECLIB_|NUMEXPR_|FLEXIBLAS|ATLAS_|GLIBC_TUNABLES$|LD_PRELOAD$|LD_LIBRARY_PATH$|LD_BIND_NOW$|NODE_OPTIONS$|UV_THREADPOOL_SIZE$)/;

export function floatingPointSettings(
  env: Readonly<Record<string, string>>,
  cpuFlags: readonly string[],
  nodeCommandLineFlags: readonly string[],
): FloatingPointSettings {
  const relevant: Record<string, string> = {};
  for (const name of Object.keys(env).sort()) if (NUMERIC_VARIABLE.test(name)) relevant[name] = env[name] as string;
  const fromOptions = (env.NODE_OPTIONS ?? "").split(/\s+/).filter((option) => option !== "");
  return {
    cpuFeatures: floatingPointFeatures(cpuFlags),
    nodeFlags: withoutLoaders([...nodeCommandLineFlags, ...fromOptions]),
    env: relevant,
  };
}

/**
 * The V8 and Node options in a node command line: everything between the
 * node executable and the script, `argv` being [..., node, options..., script, args...].
 */
export function nodeOptionsOf(argv: readonly string[], nodeExecutable: string): string[] {
  const start = argv.indexOf(nodeExecutable);
  if (start < 0) return [];
  const options: string[] = [];
  for (let index = start + 1; index < argv.length; index++) {
    const argument = argv[index] as string;
    if (!argument.startsWith("-")) break;
    options.push(argument);
    // --import, --require, --loader take a value as the next argument
    if (/^--(import|require|loader|experimental-loader)$/.test(argument) || argument === "-r") {
      options.push(argv[++index] ?? "");
    }
  }
  return options;
}

/** Loader hooks (tsx) are how TypeScript runs, not floating-point settings. */
function withoutLoaders(options: readonly string[]): string[] {
  const kept: string[] = [];
  for (let index = 0; index < options.length; index++) {
    const option = options[index] as string;
    if (/^--(import|require|loader|experimental-loader)$/.test(option) || option === "-r") index++;
    else if (!/^--(import|require|loader|experimental-loader)=/.test(option)) kept.push(option);
  }
  return kept;
}
