// Kills the components this process launched in processes of their own on
// every way this process ends: a normal exit, an uncaught exception (Node still
// emits 'exit'), and SIGINT, SIGTERM or SIGHUP. SIGKILL cannot be caught; the
// process backend covers it with the kernel's parent-death signal where it can,
// and the enclaves' cgroups are left to conflux clean.

/** A launched component that can be killed synchronously. */
export interface KillableComponent {
  kill(): void;
  /** After kill(): remove what the kernel keeps of it beyond its processes (its cgroup), waiting for them to go. */
  releaseAfterKill?(): void;
}

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
const live = new Set<KillableComponent>();
/** Those whose supervisor left signal handling to us. */
const killedOnSignal = new Set<KillableComponent>();
let exitHookInstalled = false;
let signalHooksInstalled = false;

function killAll(): void {
  for (const component of live) component.kill();
  for (const component of live) component.releaseAfterKill?.();
  live.clear();
  killedOnSignal.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  for (const component of killedOnSignal) component.kill();
  for (const component of killedOnSignal) {
    component.releaseAfterKill?.();
    live.delete(component);
  }
  killedOnSignal.clear();
  removeSignalHooks();
  // Die of the signal, so the parent learns what happened, unless someone else
  // listens for it: then that listener decides (the run cleanup re-raises it too).
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function removeSignalHooks(): void {
  for (const name of SIGNALS) process.removeListener(name, onSignal);
  signalHooksInstalled = false;
}

/** Kills `component` if this process ends while it runs. */
export function killOnExit(component: KillableComponent, options: { handleSignals: boolean }): void {
  live.add(component);
  if (!exitHookInstalled) {
    process.on("exit", killAll);
    exitHookInstalled = true;
  }
  if (!options.handleSignals) return;
  killedOnSignal.add(component);
  if (!signalHooksInstalled) {
    // First in line: a listener that re-raises the signal (the run cleanup does)
    // ends this process on the spot, and the components must be dead by then.
    for (const name of SIGNALS) process.prependListener(name, onSignal);
    signalHooksInstalled = true;
  }
}

/** The component has ended; there is nothing left to kill. */
export function forgetOnExit(component: KillableComponent): void {
  live.delete(component);
  killedOnSignal.delete(component);
  if (killedOnSignal.size === 0 && signalHooksInstalled) removeSignalHooks();
}
