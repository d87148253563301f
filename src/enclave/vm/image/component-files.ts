// enclave/vm/image/ owns what a guest boots: kernel, initramfs, the component's files, static programs, the image cache.
// It must not start a guest: it builds and finds images, for the VM enclave and for `conflux vm build`.

// What goes into a component's image and how the guest runs it: a module runs
// under the host's Node.js, as the process backend runs it, so the image
// carries that node, the module's package and this package (the native addon,
// and tsx for what cannot be compiled in advance); a command carries its
// program and libraries.
import { existsSync } from "node:fs";
import { findExecutable } from "../../../platform/executable.ts";
import { PACKAGE_ROOT } from "../../../platform/package-root.ts";
import { tsxLoaderUrl } from "../../../platform/typescript-loader.ts";
import type { ComponentLaunch } from "../../launch.ts";
import { declaresDependency, GuestFileSet, packageRoot, resolvePackage } from "./guest-files.ts";
import { precompileTypeScript } from "./typescript-precompile.ts";

export interface ComponentFiles {
  files: GuestFileSet;
  /** What the agent executes: argv[0] is an absolute path. */
  argv: string[];
}

export interface ComponentFileOptions {
  /** Host paths the component reads (data, a configuration) that no rule above finds. */
  extra?: readonly string[];
  /** The component's environment: files it names for Node.js (extra CA certificates) come along. */
  environment?: Readonly<Record<string, string>>;
  /** Where compiled TypeScript is cached; given, a module's TypeScript is compiled on the host. */
  compileCache?: string;
  /** Called once before TypeScript the cache does not have is compiled. */
  beforeCompiling?: () => void;
}

export function componentFiles(launch: ComponentLaunch, options: ComponentFileOptions = {}): ComponentFiles {
  const files = new GuestFileSet();
  let argv: string[];
  if (launch.module !== undefined) {
    files.program(process.execPath);
    const certificates = options.environment?.NODE_EXTRA_CA_CERTS;
    if (certificates !== undefined && existsSync(certificates)) files.hostPath(certificates);
    const conflux = PACKAGE_ROOT.replace(/\/$/, "");
    // tsx, with the esbuild it starts (23 of a module image's 137 MiB), comes along only when it runs in the guest;
    // this package's own esbuild builds the SDK on the host (build/component/, which comes along) and stays there.
    const tsx = resolvePackage(conflux, "tsx");
    const esbuild = resolvePackage(conflux, "esbuild");
    const walked = new Set([tsx, esbuild].filter((path) => path !== undefined));
    files.nodePackage(conflux, walked);
    const root = packageRoot(launch.module);
    if (root !== undefined) files.nodePackage(root, walked);
    else files.hostPath(launch.module);
    // Compiled in advance, the modules load as plain JavaScript, with no loader at all.
    const compiled =
      options.compileCache !== undefined && precompileTypeScript(files, options.compileCache, options.beforeCompiling);
    if (
      tsx !== undefined &&
      (!compiled || (root !== undefined && root !== conflux && declaresDependency(root, "tsx")))
    ) {
      files.nodePackage(tsx);
    }
    // V8 keeps its JIT compiler under TCG too: QEMU translates the code it generates once more, but
    // the seed's appA in a guest said hello after 8-12 s with it and 21-27 s with --jitless (a
    // component that only starts and ends takes as long either way).
    argv = [process.execPath, ...(compiled ? [] : ["--import", tsxLoaderUrl()]), launch.module];
  } else {
    const [program = "", ...rest] = launch.command ?? [];
    const path = program.includes("/") ? program : (findExecutable(program) ?? program);
    argv = [path, ...rest];
    files.program(path);
  }
  for (const path of options.extra ?? []) files.hostPath(path);
  if (launch.cwd !== undefined) files.directory(launch.cwd);
  return { files, argv };
}
