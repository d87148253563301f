import { statSync } from "node:fs";
import type { Command } from "commander";
import { UsageError } from "./exit-codes.ts";
import { parseWindowList } from "./window-list.ts";

export function registerInspect(program: Command): void {
  program
    .command("inspect")
    .description(
      "show a finished run: its components, their environments (runtime, C library, kernel, CPU, loaded files), seeds, inputs, outputs, timings and, for a run in time, its convergence and residual history, and whether the record's files still match their hashes",
    )
    .argument(
      "<run-dir>",
      "a directory `conflux run` wrote, or a bundle `conflux pack` wrote (its contents, sizes, stacks and their packages)",
    )
    .option("--json", "print the run record as JSON")
    .option(
      "--windows <list>",
      "a run in time: print these windows' residual history in full: all, or numbers and ranges such as 0,5-9 (without it: every window, or the first and last five of more than 12, each with at most 12 iterations)",
    )
    .action(async (directory: string, options: { json?: boolean; windows?: string }) => {
      const { bundleSummary, looksLikeBundle, readBundle } = await import("../bundle/index.ts");
      if (looksLikeBundle(directory)) {
        const { reportingBundleErrors } = await import("./bundle.ts");
        await reportingBundleErrors("inspect", async () => {
          const manifest = await readBundle(directory, async (_listed, _path, content) => {
            for await (const _ of content);
          });
          const bytes = statSync(directory).size;
          process.stdout.write(
            options.json
              ? `${JSON.stringify({ bundle: directory, bytes, manifest }, null, 2)}\n`
              : bundleSummary(directory, manifest, bytes),
          );
        });
        return;
      }
      const [{ alteredFiles }, { readRunRecord }, { runSummary }] = await Promise.all([
        import("../record/record-integrity.ts"),
        import("../record/run-record.ts"),
        import("../record/run-summary.ts"),
      ]);
      let record: ReturnType<typeof readRunRecord>;
      try {
        record = readRunRecord(directory);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      if (options.json) {
        process.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
        return;
      }
      const altered = alteredFiles(directory, record);
      const integrity =
        altered.length === 0
          ? "files: the composition copy and every field match their hashes\n"
          : `files: ALTERED since the run:\n${altered.map((file) => `  ${file.file} ${file.reason}\n`).join("")}`;
      const windows =
        options.windows === undefined ? undefined : parseWindowList(options.windows, record.convergence?.length ?? 0);
      process.stdout.write(runSummary(record, directory, { history: { windows } }) + integrity);
    });
}
