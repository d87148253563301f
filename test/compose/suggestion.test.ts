import assert from "node:assert/strict";
import { test } from "node:test";
import { closest } from "../../src/compose/suggestion.ts";

test("close misspellings, case slips and swapped letters find the intended word", () => {
  assert.equal(closest("proces", ["thread", "process", "container", "vm"]), "process");
  assert.equal(closest("Process", ["thread", "process"]), "process");
  assert.equal(closest("nmae", ["version", "name", "components"]), "name");
  assert.equal(closest("appb", ["appA", "appB"]), "appB");
});

test("no guess when nothing is close or two words are equally close", () => {
  assert.equal(closest("colour", ["scheme", "iterations", "order"]), undefined);
  assert.equal(closest("appC", ["appA", "appB"]), undefined);
  assert.equal(closest("x", []), undefined);
});
