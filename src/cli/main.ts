// The conflux command line: parses arguments and calls the layers; no logic here.
import { Command, CommanderError } from "commander";
import { registerAgent } from "./agent.ts";
import { registerBench } from "./bench.ts";
import { registerBenchAcceleration } from "./bench-acceleration.ts";
import { registerBenchCli } from "./bench-cli.ts";
import { registerBenchCoupling } from "./bench-coupling.ts";
import { registerBenchImplicit } from "./bench-implicit.ts";
import { registerBenchLammps } from "./bench-lammps.ts";
import { registerBenchMap } from "./bench-map.ts";
import { registerBenchQueue } from "./bench-queue.ts";
import { registerBenchSeed } from "./bench-seed.ts";
import { registerBundle } from "./bundle.ts";
import { registerClean } from "./clean.ts";
import { registerClient } from "./client.ts";
import { registerDoctor } from "./doctor.ts";
import { ExitCode, UsageError } from "./exit-codes.ts";
import { registerGraph } from "./graph.ts";
import { registerInit } from "./init.ts";
import { registerInspect } from "./inspect.ts";
import { registerMap } from "./map.ts";
import { registerReport } from "./report.ts";
import { registerRepro } from "./repro.ts";
import { registerRun } from "./run.ts";
import { registerSchema } from "./schema.ts";
import { registerStack } from "./stack.ts";
import { registerSubmit } from "./submit.ts";
import { registerValidate } from "./validate.ts";
import { registerView } from "./view.ts";
import { registerVmImage } from "./vm-image.ts";

// Output piped into a reader that stops early (`conflux --help | head`) is not an error of the command.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const program = new Command();
program
  .name("conflux")
  .description(
    "Couple scientific codes that keep their own software stacks: components in thread, process, container or VM enclaves share meshes through named shared-memory segments and exchange control through command queues.",
  )
  .version("0.1.0")
  .showHelpAfterError()
  .exitOverride()
  .addHelpText(
    "after",
    `
Exit codes:
  0  success
  1  the run or command failed (the message says where)
  2  bad usage or invalid input (a file, an option)
  3  this machine lacks something the command needs (see \`conflux doctor\`)`,
  );

registerRun(program);
registerBundle(program);
registerAgent(program);
registerSubmit(program);
registerInspect(program);
registerReport(program);
registerView(program);
registerRepro(program);
registerDoctor(program);
registerValidate(program);
registerGraph(program);
registerInit(program);
registerClient(program);
registerSchema(program);
registerStack(program);
registerVmImage(program);
registerClean(program);
registerMap(program);
const bench = registerBench(program);
registerBenchMap(bench);
registerBenchQueue(bench);
registerBenchSeed(bench);
registerBenchCoupling(bench);
registerBenchImplicit(bench);
registerBenchAcceleration(bench);
registerBenchLammps(bench);
registerBenchCli(bench);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version end with code 0; commander already printed usage errors.
    process.exitCode = error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  } else if (error instanceof UsageError) {
    process.stderr.write(`conflux: ${error.message}\n`);
    process.exitCode = ExitCode.usage;
  } else {
    process.stderr.write(`conflux: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = ExitCode.failure;
  }
}
