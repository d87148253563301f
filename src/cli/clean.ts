import type { Command } from "commander";

export function registerClean(program: Command): void {
  program
    .command("clean")
    .description(
      "remove the shared-memory segments and enclave cgroups of runs whose creator is dead; live runs are left alone",
    )
    .option("--dry-run", "only list what would be removed")
    .option("--json", "print the result as JSON")
    .action(async (options: { dryRun?: boolean; json?: boolean }) => {
      const [{ listRuns, reapDeadRuns }, { reapDeadCgroups }] = await Promise.all([
        import("../shm/reaper.ts"),
        import("../enclave/resources/cgroup-reaper.ts"),
      ]);
      const dryRun = options.dryRun === true;
      const dead = reapDeadRuns({ dryRun });
      const cgroups = reapDeadCgroups({ dryRun });
      const live = listRuns().filter((run) => run.alive);
      if (options.json) {
        process.stdout.write(
          `${JSON.stringify({ dryRun, removed: dryRun ? [] : dead, wouldRemove: dryRun ? dead : [], live, cgroups: { [dryRun ? "wouldRemove" : "removed"]: cgroups } }, null, 2)}\n`,
        );
        return;
      }
      const verb = dryRun ? "would remove" : "removed";
      for (const run of dead) {
        process.stdout.write(
          `${verb} ${run.directory} (run ${run.runId}, creator pid ${run.pid ?? "unknown"} is dead; ${run.files} files, ${run.bytes} bytes)\n`,
        );
      }
      for (const cgroup of cgroups) {
        process.stdout.write(`${verb} the cgroup ${cgroup.directory} (its driver, pid ${cgroup.pid}, is dead)\n`);
      }
      for (const run of live) {
        process.stdout.write(
          `kept ${run.directory} (run ${run.runId}, creator pid ${run.pid ?? "unknown"} is alive)\n`,
        );
      }
      if (dead.length === 0 && cgroups.length === 0) process.stdout.write("nothing to clean\n");
    });
}
