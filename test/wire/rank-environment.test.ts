// How the TypeScript SDK finds a rank's rank and size (rankFromEnvironment):
// the table every client agrees on (test/clients/rank-environment-cases.ts),
// and that the table names every launcher the SDK reads, so a pair added to
// RANK_SOURCES without a case, or a case for a pair that is gone, fails here.
import assert from "node:assert/strict";
import { test } from "node:test";
import { RANK_SOURCES, rankFromEnvironment } from "../../src/wire/environment.ts";
import { RANK_CASES, RANK_VARIABLES } from "../clients/rank-environment-cases.ts";

for (const { name, env, expected } of RANK_CASES) {
  test(`rankFromEnvironment: ${name}`, () => {
    const found = rankFromEnvironment(env);
    if (expected instanceof RegExp) {
      assert.equal(typeof found, "string", `refused, not ${JSON.stringify(found)}`);
      assert.match(found as string, expected);
    } else {
      assert.deepEqual(found, { rank: expected[0], ranks: expected[1] });
    }
  });
}

/** Whether a case's environment holds CONFLUX_RANKS and this one pair's variables, nothing else. */
function onlyPair(env: Record<string, string>, source: { rank: string; size: string }): boolean {
  const own = ["CONFLUX_RANKS", source.rank, source.size];
  return source.rank in env && Object.keys(env).every((name) => own.includes(name));
}

test("the table reads every pair of RANK_SOURCES alone, and only their variables", () => {
  const readers = RANK_SOURCES.flatMap((source) => [source.rank, source.size]);
  assert.deepEqual([...RANK_VARIABLES].sort(), [...new Set(readers)].sort());
  for (const source of RANK_SOURCES) {
    const alone = RANK_CASES.filter((rankCase) => onlyPair(rankCase.env, source));
    assert.ok(
      alone.some((rankCase) => Array.isArray(rankCase.expected) && rankCase.expected[1] > 1),
      `a case where ${source.rank} and ${source.size} alone give a rank of many`,
    );
    if (source.rank === "CONFLUX_RANK") continue;
    assert.ok(
      alone.some((rankCase) => rankCase.env.CONFLUX_RANKS === "1" && Array.isArray(rankCase.expected)),
      `a case where CONFLUX_RANKS=1 ignores ${source.rank} and ${source.size}`,
    );
  }
});
