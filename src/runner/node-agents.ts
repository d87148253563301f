// The agents of a run that spans nodes: one `conflux agent` on each node that
// hosts a component, started in one srun job step, each telling on its first
// line which node it is on and where it listens. The step ends with the run
// (SIGTERM to srun, which Slurm passes to the agents), and with this process:
// srun runs under a parent-death signal, and an agent whose relays are gone
// has nothing to wait for.
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { packagePath } from "../platform/package-root.ts";
import { parentDeathPrefix } from "../platform/parent-death-signal.ts";

export interface NodeAgents {
  /** Host name → "host:port" of its agent. */
  addresses: Map<string, string>;
  close(): Promise<void>;
}

/** Starts an agent on each of `hosts` (of the allocation) and waits until every one listens. */
export async function startNodeAgents(hosts: readonly string[], timeoutMs: number): Promise<NodeAgents> {
  const [launcher = "srun", ...prefix] = [...parentDeathPrefix(), "srun"];
  const srun: ChildProcess = spawn(
    launcher,
    [
      ...prefix,
      `--nodes=${hosts.length}`,
      `--ntasks=${hosts.length}`,
      "--ntasks-per-node=1",
      `--nodelist=${hosts.join(",")}`,
      "--kill-on-bad-exit=0",
      "--unbuffered",
      process.execPath,
      packagePath("bin/conflux.js"),
      "agent",
      `--first-relay-ms=${timeoutMs}`,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const addresses = new Map<string, string>();
  let stderr = "";
  srun.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-4000);
  });
  const ended = new Promise<number | null>((resolve) => srun.once("exit", (code) => resolve(code)));
  const close = async () => {
    if (srun.exitCode === null && srun.signalCode === null) srun.kill("SIGTERM");
    const stopped = await Promise.race([ended.then(() => true), new Promise((r) => setTimeout(() => r(false), 5000))]);
    if (!stopped) srun.kill("SIGKILL");
  };
  const listening = new Promise<void>((resolve, reject) => {
    const lines = createInterface({ input: srun.stdout as NodeJS.ReadableStream });
    lines.on("line", (line) => {
      try {
        const said = JSON.parse(line) as { agent?: string; port?: number };
        if (typeof said.agent === "string" && typeof said.port === "number") {
          addresses.set(said.agent, `${said.agent}:${said.port}`);
          if (hosts.every((host) => addresses.has(host))) resolve();
        }
      } catch {
        // not an agent's line: srun's own, kept in the error if the agents never come
      }
    });
    void ended.then((code) =>
      reject(new Error(`srun ended (exit ${code}) before every agent listened: ${stderr.trim() || "no message"}`)),
    );
    setTimeout(
      () =>
        reject(
          new Error(
            `the agents of ${hosts.filter((host) => !addresses.has(host)).join(", ")} did not start within ${timeoutMs} ms: ${stderr.trim() || "srun said nothing"}`,
          ),
        ),
      timeoutMs,
    ).unref();
  });
  try {
    await listening;
  } catch (error) {
    await close();
    throw error;
  }
  return { addresses, close };
}
