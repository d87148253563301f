import type { Command } from "commander";
import { describedCommand } from "./described-command.ts";
import { UsageError } from "./exit-codes.ts";

export function registerView(program: Command): void {
  describedCommand(program, "view")
    .argument("<run-dir>", "a directory `conflux run` wrote")
    .action(async (directory: string, options: { port: string }) => {
      const port = Number(options.port);
      if (!/^\d+$/.test(options.port) || port > 65535) {
        throw new UsageError(`--port ${options.port}: give a port from 0 to 65535 (0: a free one)`);
      }
      const [{ ReportError }, { runDirectoryState, serveView, viewPage, ViewServerError }] = await Promise.all([
        import("../report/index.ts"),
        import("../view/index.ts"),
      ]);
      let state: string;
      let page: string;
      try {
        const read = await runDirectoryState(directory);
        state = JSON.stringify(read);
        page = await viewPage(`conflux run ${read.data.overview.name} ${read.data.overview.runId}`);
      } catch (error) {
        if (error instanceof ReportError) throw new UsageError(error.message);
        throw error;
      }
      let server: Awaited<ReturnType<typeof serveView>>;
      try {
        server = await serveView(page, () => state, port);
      } catch (error) {
        if (error instanceof ViewServerError) throw new UsageError(error.message);
        throw error;
      }
      process.stdout.write(`view: ${server.url} (interrupt to stop)\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          void server.close().then(resolve);
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
    });
}
