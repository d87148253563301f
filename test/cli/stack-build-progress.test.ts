// A stack build's progress where output is not a terminal: one line per
// debootstrap stage, in order, however many packages it names, and the
// build's own lines as they come; debootstrap's other chatter stays out.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createStackBuildProgress } from "../../src/cli/stack-build-progress.ts";

test("plain stack-build progress: a line per stage, the build's own lines, nothing of debootstrap's per package", () => {
  const written: string[] = [];
  const stream = { isTTY: false, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream;
  const progress = createStackBuildProgress("stack numpy1", stream);
  const lines = [
    "debootstrap: Debian bookworm (minbase) with python3-numpy from http://deb.debian.org/debian",
    "I: Retrieving InRelease",
    "I: Checking Release signature",
    "I: Retrieving Packages",
    "I: Resolving dependencies of required packages...",
    "I: Found additional required dependencies: libzstd1",
    ...["base-files", "bash", "libc6"].map((name) => `I: Retrieving ${name} 12.4`),
    ...["base-files", "bash"].map((name) => `I: Validating ${name} 12.4`),
    ...["base-files", "bash"].map((name) => `I: Extracting ${name}...`),
    "I: Installing required packages...",
    "I: Unpacking required packages...",
    "I: Unpacking base-files...",
    "I: Configuring base-files...",
    "I: Configuring bash...",
    "I: Base system installed successfully.",
    "copying the base and 0 file(s) into the stack",
  ];
  for (const line of lines) progress.line(line);
  progress.finish();
  assert.deepEqual(written, [
    "stack numpy1: debootstrap: Debian bookworm (minbase) with python3-numpy from http://deb.debian.org/debian\n",
    "stack numpy1: resolving dependencies\n",
    "stack numpy1: retrieving packages\n",
    "stack numpy1: validating packages\n",
    "stack numpy1: extracting packages\n",
    "stack numpy1: installing packages\n",
    "stack numpy1: configuring packages\n",
    "stack numpy1: copying the base and 0 file(s) into the stack\n",
  ]);
});
