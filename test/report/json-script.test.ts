// The page data's JSON block holds no markup whatever its strings are, and gives the very strings back.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { jsonScriptBlock, jsonScriptText } from "../../src/report/json-script.ts";

test("no string breaks out of the JSON script block, and JSON.parse gives it back", () => {
  const hostile = fc.oneof(
    fc.string({ unit: "binary" }),
    fc.constantFrom("</script><script>alert(1)</script>", "<!--<script>", "</SCRIPT >", "\u2028\u2029", "&lt;&amp;"),
  );
  fc.assert(
    fc.property(fc.array(hostile), fc.dictionary(hostile, hostile, { noNullPrototype: true }), (values, names) => {
      const data = { values, names };
      const text = jsonScriptText(data);
      assert.ok(!/[<>&\u2028\u2029]/.test(text), text);
      assert.deepEqual(JSON.parse(text), data);
      const block = jsonScriptBlock("report-data", data);
      assert.equal(block.match(/<\/script/gi)?.length, 1, "the block's own end is its only </script");
    }),
  );
});
