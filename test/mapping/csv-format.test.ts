import assert from "node:assert/strict";
import { test } from "node:test";
import { formatPointCsv, parsePointCsv } from "../../src/mapping/csv-format.ts";
import { MappingError } from "../../src/mapping/mapping-error.ts";

test("a CSV point cloud parses into points, field names and fields, and formats back", () => {
  const text = "x,y,z,temperature,pressure\r\n0,0,0,1,2\n\n1.5,-2e-3,.25,3,4\n";
  const csv = parsePointCsv(text, "S.csv");
  assert.equal(csv.points.dimension, 3);
  assert.equal(csv.points.count, 2);
  assert.deepEqual([...csv.points.coordinates], [0, 0, 0, 1.5, -0.002, 0.25]);
  assert.deepEqual(csv.fieldNames, ["temperature", "pressure"]);
  assert.deepEqual(
    csv.fields.map((field) => [...field]),
    [
      [1, 3],
      [2, 4],
    ],
  );
  assert.deepEqual([...csv.lines], [2, 4]);
  const out = formatPointCsv(csv.points, csv.fieldNames, csv.fields);
  assert.equal(out, "x,y,z,temperature,pressure\n0,0,0,1,2\n1.5,-0.002,0.25,3,4\n");
  assert.deepEqual(parsePointCsv(out, "O.csv").fields, csv.fields);
  // Shortest round-trip formatting keeps every bit of a double.
  const precise = formatPointCsv(csv.points, ["v"], [Float64Array.from([0.1 + 0.2, Math.PI])]);
  assert.deepEqual([...(parsePointCsv(precise, "P.csv").fields[0] ?? [])], [0.1 + 0.2, Math.PI]);
});

test("1-D and 2-D headers, and a header without fields", () => {
  assert.equal(parsePointCsv("x,f\n1,2\n", "a.csv").points.dimension, 1);
  assert.equal(parsePointCsv("X,Y,f\n1,2,3\n", "a.csv").points.dimension, 2);
  assert.deepEqual(parsePointCsv("x,y,z\n1,2,3\n", "a.csv").fieldNames, []);
});

function message(text: string): string {
  try {
    parsePointCsv(text, "T.csv");
  } catch (error) {
    assert.ok(error instanceof MappingError);
    return error.message;
  }
  assert.fail("expected the CSV to be refused");
}

test("bad CSV is refused with file:line (and column) and the fix", () => {
  assert.match(message(""), /^T\.csv: the file is empty; it needs a header line/);
  assert.match(
    message("a,b,c\n1,2,3\n"),
    /^T\.csv:1: the header must start with the coordinate columns x,y \(and z for 3-D\)/,
  );
  assert.match(message("x,y,,f\n1,2,3,4\n"), /^T\.csv:1: column 3 of the header has no name/);
  assert.match(message("x,y,z\n"), /^T\.csv: the header is there but there are no points/);
  assert.match(message("x,y,z,f\n1,2,3,4\n1,2,3\n"), /^T\.csv:3: 3 values, but the header has 4 columns \(x,y,z,f\)/);
  assert.match(
    message("x,y,z,f\n1,2,3,4\n1,2,oops,4\n"),
    /^T\.csv:3:3: "oops" in column z is not a number; write a decimal number/,
  );
  assert.match(message("x,y\n1,nan\n"), /^T\.csv:2:2: "nan" in column y is not a number/);
  assert.match(message("x,y\n1,\n"), /^T\.csv:2:2: "" in column y is not a number/);
  assert.match(message("x,y\n1,1e999\n"), /^T\.csv:2:2: 1e999 in column y is beyond the range of a double/);
});
