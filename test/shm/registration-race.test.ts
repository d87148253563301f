// Registration is linearizable across the three clients: six processes (two
// each in TypeScript, C and Python) register one name at the same moment, round
// after round, and exactly one wins every round; meanwhile the test releases the
// previous round's name and every contender looks it up, and never reads an
// entry torn (its file, offset and length always agree). Fixtures:
// test/shm/fixtures/registry-contender.ts, test/clients/fixtures/registry_contender.{c,py}.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { native } from "../../src/native/index.ts";
import { plainBuild, pythonCommand, pythonEnvironment, scratchDirectory } from "../clients/toolchain.ts";
import { projectRoot } from "../support/child-process.ts";
import { C_COMPILER, needs, PYTHON } from "../support/requirements.ts";
import { scratchRun } from "../support/scratch-run.ts";

const ROUNDS = 400;
const build = plainBuild();
const python = pythonCommand();
const options = needs(C_COMPILER, PYTHON);
const Outcome = { won: 1, lost: 2, error: 3, torn: 4 } as const;

test(
  `six contenders in three languages register one name at once, ${ROUNDS} rounds: one winner each, no torn read`,
  options,
  async (t) => {
    const run = scratchRun(t);
    const contest = run.createSegment("contest", 4096);
    t.after(() => contest.close());
    const words = contest.int32(0, 1024);
    const cContender = build.compile(scratchDirectory(t), "registry_contender", [
      "test/clients/fixtures/registry_contender.c",
    ]);
    const tsContender = fileURLToPath(new URL("fixtures/registry-contender.ts", import.meta.url));
    const commands: { language: string; command: string[]; environment: Record<string, string> }[] = [];
    for (let copy = 0; copy < 2; copy++) {
      commands.push({
        language: "TypeScript",
        command: [process.execPath, "--import", "tsx", tsContender],
        environment: {},
      });
      commands.push({ language: "C", command: [cContender], environment: {} });
      commands.push({
        language: "Python",
        command: [python as string, "test/clients/fixtures/registry_contender.py"],
        environment: pythonEnvironment({ CONFLUX_NO_NUMPY: "1" }),
      });
    }
    const children: { child: ChildProcess; stderr: () => string; exited: Promise<number | null> }[] = commands.map(
      ({ command, environment }, index) => {
        const [file = "", ...args] = command;
        const child = spawn(file, [...args, String(index), String(ROUNDS)], {
          cwd: projectRoot,
          env: { ...process.env, ...environment, CONFLUX_RUN_DIR: run.directory },
          stdio: ["ignore", "ignore", "pipe"],
        });
        let errors = "";
        child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
          errors += chunk;
        });
        const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
        t.after(async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
          await exited;
        });
        return { child, stderr: () => errors, exited };
      },
    );
    const describe = () => children.map((entry, index) => `${index}: ${entry.stderr().trim()}`).join("\n");
    const ready = Date.now() + 60_000;
    while (Atomics.load(words, 1) < commands.length) {
      assert.ok(Date.now() < ready, `every contender got ready within 60 s:\n${describe()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    const winsBy = new Map<string, number>();
    const problems: string[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      Atomics.store(words, 0, round);
      // Released while the contenders look it up, and its entry reused by this round's registrations.
      run.registry.unregister(`r${round - 1}`);
      const deadline = native.monotonicNs() + 20e9;
      for (let index = 0; index < commands.length; index++) {
        while (Atomics.load(words, 16 + 2 * index) < round) {
          if (native.monotonicNs() > deadline)
            assert.fail(`round ${round}: contender ${index} did not report:\n${describe()}`);
          native.schedYield();
        }
      }
      const outcomes = commands.map((_, index) => Atomics.load(words, 16 + 2 * index + 1));
      const winners = outcomes.flatMap((outcome, index) => (outcome === Outcome.won ? [index] : []));
      if (winners.length !== 1) problems.push(`round ${round}: ${winners.length} winners (${winners.join(", ")})`);
      outcomes.forEach((outcome, index) => {
        if (outcome === Outcome.torn) problems.push(`round ${round}: contender ${index} read a torn entry`);
        if (outcome === Outcome.error) problems.push(`round ${round}: contender ${index} failed`);
      });
      const winner = winners[0];
      if (winner !== undefined) {
        const language = commands[winner]?.language ?? "";
        winsBy.set(language, (winsBy.get(language) ?? 0) + 1);
        assert.equal(
          run.registry.lookup(`r${round}`)?.file,
          `c${winner}-r${round}`,
          `round ${round}: the winner's entry`,
        );
      }
    }
    const codes = await Promise.all(children.map((entry) => entry.exited));
    process.stdout.write(
      `# wins by language over ${ROUNDS} rounds: ${[...winsBy].map(([language, wins]) => `${language} ${wins}`).join(", ")}\n`,
    );
    assert.deepEqual(problems, [], `${problems.slice(0, 20).join("\n")}\n${describe()}`);
    assert.deepEqual(
      codes,
      commands.map(() => 0),
      describe(),
    );
  },
);
