// Removes the run directories this process owns on every way out: a normal
// exit, an uncaught exception (Node still emits 'exit'), and SIGINT, SIGTERM or
// SIGHUP, after which the signal is raised again so the exit status tells the
// parent what happened. SIGKILL cannot be caught: `conflux clean` reaps those.
import { removeRunDirectory } from "./run-directory.ts";

const owned = new Set<string>();
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
let exitHookInstalled = false;
let signalHooksInstalled = false;

function removeAll(): void {
  for (const directory of owned) removeRunDirectory(directory);
  owned.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  removeAll();
  for (const name of SIGNALS) process.removeListener(name, onSignal);
  signalHooksInstalled = false;
  process.kill(process.pid, signal);
}

/** Removes `directory` when this process ends, however it ends. */
export function removeOnExit(directory: string, options: { handleSignals: boolean }): void {
  owned.add(directory);
  if (!exitHookInstalled) {
    process.on("exit", removeAll);
    exitHookInstalled = true;
  }
  if (options.handleSignals && !signalHooksInstalled) {
    for (const name of SIGNALS) process.on(name, onSignal);
    signalHooksInstalled = true;
  }
}

/** The directory was removed by its owner already; forget it. */
export function forgetOnExit(directory: string): void {
  owned.delete(directory);
  if (owned.size === 0 && signalHooksInstalled) {
    for (const name of SIGNALS) process.removeListener(name, onSignal);
    signalHooksInstalled = false;
  }
}
