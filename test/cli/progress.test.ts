import assert from "node:assert/strict";
import { test } from "node:test";
import { createProgress, rateClock } from "../../src/cli/progress.ts";

test("the rate is measured from the first completed iteration on, and unknown before a second one", () => {
  let now = 1000;
  const clock = rateClock(() => now);
  assert.equal(clock(1), undefined, "one iteration done: no interval to measure yet");
  now += 500;
  assert.equal(clock(11), 20, "10 more iterations in 0.5 s");
});

test("plain progress lines never say 0 it/s: the first says no rate until there is one", () => {
  const written: string[] = [];
  const stream = { isTTY: false, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream;
  const progress = createProgress("demo", stream);
  // Iterations done at once, as fast as a test can: the first printed line comes at 16.
  for (let completed = 1; completed <= 16; completed++) progress.update(completed, 1000);
  assert.equal(written.length, 1);
  assert.doesNotMatch(written[0] ?? "", / 0 it\/s/);
  assert.match(written[0] ?? "", /^demo: iteration 16\/1000(, \d+ it\/s, [\d.]+ s left)?\n$/);
});
