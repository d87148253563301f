// How the C and Python clients find a rank's rank and size
// (cfx_rank_from_environment, conflux.rank_from_environment): each case of
// rank-environment-cases.ts in a real process of its own, started with that
// environment and no other rank variable, printing what the client read or
// its refusal; both must read what the TypeScript SDK reads.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { projectRoot } from "../support/child-process.ts";
import { C_COMPILER, needs, PYTHON } from "../support/requirements.ts";
import { RANK_CASES, RANK_VARIABLES, type RankCase } from "./rank-environment-cases.ts";
import { compileWithClient, pythonCommand, pythonEnvironment, scratchDirectory } from "./toolchain.ts";

/** The test's own environment without any rank variable (a test run under srun or mpirun has some), then the case's. */
function environmentOf(rankCase: RankCase, extra: Record<string, string>): Record<string, string> {
  const inherited = Object.entries(process.env).filter(
    (entry): entry is [string, string] => entry[1] !== undefined && !RANK_VARIABLES.includes(entry[0]),
  );
  return { ...Object.fromEntries(inherited), ...extra, ...rankCase.env };
}

/** Each case as a subtest of `t`, in a process of its own running `command`. */
async function checkEveryCase(t: TestContext, command: string[], extra: Record<string, string>): Promise<void> {
  const [file = "", ...args] = command;
  for (const rankCase of RANK_CASES) {
    await t.test(rankCase.name, () => {
      const ran = spawnSync(file, args, {
        cwd: projectRoot,
        env: environmentOf(rankCase, extra),
        encoding: "utf8",
        timeout: 60_000,
      });
      assert.equal(ran.signal, null, ran.stderr);
      const printed = ran.stdout.trimEnd();
      if (rankCase.expected instanceof RegExp) {
        assert.equal(ran.status, 1, `refused, not "${printed}" ${ran.stderr}`);
        assert.match(printed.replace(/^error: /, ""), rankCase.expected);
      } else {
        assert.equal(ran.status, 0, `${printed} ${ran.stderr}`);
        assert.equal(printed, rankCase.expected.join(" "));
      }
    });
  }
}

test(
  "the C client reads rank and size from Open MPI, PMI, Slurm and the driver as the SDK does, and refuses alike",
  needs(C_COMPILER),
  async (t) => {
    const program = compileWithClient(scratchDirectory(t), "rank_environment", ["test/clients/rank_environment.c"]);
    await checkEveryCase(t, [program], {});
  },
);

test(
  "the Python client reads rank and size from Open MPI, PMI, Slurm and the driver as the SDK does, and refuses alike",
  needs(PYTHON),
  async (t) => {
    const script = join(projectRoot, "test/clients/rank_environment.py");
    await checkEveryCase(t, [pythonCommand() as string, script], pythonEnvironment({ CONFLUX_NO_NUMPY: "1" }));
  },
);
