// cli/ owns the commands: parse the command line, call the layer that does the work, print, choose the exit code.
// It must not do the work itself: run summaries, image listings and the like live in their layers.

import { hostname } from "node:os";
import type { Command } from "commander";
import { describedCommand } from "./described-command.ts";
import { ExitCode } from "./exit-codes.ts";

export function registerAgent(program: Command): void {
  describedCommand(program, "agent").action(async (options: { port: string; firstRelayMs: string }) => {
    const port = Number(options.port);
    const firstRelayMs = Number(options.firstRelayMs);
    if (!Number.isInteger(port) || port < 0 || port > 65535 || !(firstRelayMs > 0)) {
      process.stderr.write(
        `conflux agent: --port ${options.port} --first-relay-ms ${options.firstRelayMs}: give a port 0–65535 and a positive time\n`,
      );
      process.exitCode = ExitCode.usage;
      return;
    }
    // A run on this node whose agent was killed outright (its job step cancelled) left its directory: the
    // next agent here removes every run whose creator is dead, and their cgroups, as conflux clean does.
    const [{ reapDeadRuns }, { reapDeadCgroups }, { startAgent }] = await Promise.all([
      import("../shm/reaper.ts"),
      import("../enclave/resources/cgroup-reaper.ts"),
      import("../cluster/agent.ts"),
    ]);
    reapDeadRuns({ dryRun: false });
    reapDeadCgroups({ dryRun: false });
    const agent = await startAgent({ port, firstRelayMs });
    // The one line conflux run reads from srun: which node, which port.
    process.stdout.write(`${JSON.stringify({ agent: hostname(), port: agent.port })}\n`);
    const stop = () => agent.close();
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
    await agent.done;
    agent.server.close();
    // Let the last frames and the run directories' removal finish.
    setTimeout(() => process.exit(0), 100).unref();
  });
}
