// coupling/ranks/ owns components of many ranks: their launch, a link per rank stepped together, partitions joined in a union.
// It must not touch operators or accelerations: they work on the union exactly as on one serial component's mesh.

// How a rank under mpirun ended, as Open MPI's mpirun reports it. The rank is
// mpirun's child, not the driver's, so the driver cannot wait for it; mpirun
// says on its way out, in one of two documented messages:
//
//   mpirun noticed that process rank 1 with PID 4242 on node n1 exited on signal 9 (Killed).
//
//   mpirun detected that one or more processes exited with non-zero status, ...
//   The first process to do so was:
//     Process name: [[24071,1],1]
//     Exit code:    3
//
// Read from mpirun's captured output, after it has ended. Anything else (another
// launcher, another wording) gives undefined: the failure then says what the
// driver itself saw.
import { constants } from "node:os";
import type { ExitStatus } from "../../enclave/index.ts";

const SIGNALLED = /process rank (\d+) with PID \d+ on node \S+ exited on signal (\d+)/g;
const EXIT_CODE = /Process name: \[\[\d+,\d+\],(\d+)\]\s+Exit code:\s+(\d+)/g;

const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(
  Object.entries(constants.signals).map(([name, number]) => [number, name as NodeJS.Signals]),
);

/** How rank `rank` ended according to mpirun's `output`, or undefined when mpirun did not say. */
export function rankEndFromMpirun(output: string, rank: number): ExitStatus | undefined {
  for (const match of output.matchAll(SIGNALLED)) {
    if (Number(match[1]) !== rank) continue;
    const signal = SIGNAL_NAMES.get(Number(match[2]));
    if (signal !== undefined) return { code: null, signal, cause: "signal" };
  }
  for (const match of output.matchAll(EXIT_CODE)) {
    if (Number(match[1]) === rank) return { code: Number(match[2]), signal: null, cause: "exit" };
  }
  return undefined;
}
