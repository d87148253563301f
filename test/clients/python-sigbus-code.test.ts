// The Python client's SIGBUS handler is machine code in conflux/__init__.py; it
// must be the assembled clients/python/conflux/sigbus_x86_64.S, byte for byte.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { compilerCommand } from "../../src/platform/c-compiler.ts";
import { BINUTILS, C_COMPILER, needs, skipBecause } from "../support/requirements.ts";
import { PYTHON_CLIENT, scratchDirectory } from "./toolchain.ts";

test(
  "the Python client's SIGBUS handler is the assembled sigbus_x86_64.S",
  skipBecause(process.arch === "x64" ? undefined : "the handler is x86-64 code", needs(C_COMPILER, BINUTILS)),
  (t) => {
    const directory = scratchDirectory(t);
    const object = join(directory, "sigbus.o");
    const binary = join(directory, "sigbus.bin");
    const assembled = spawnSync(
      compilerCommand() as string,
      ["-c", join(PYTHON_CLIENT, "conflux", "sigbus_x86_64.S"), "-o", object],
      { encoding: "utf8" },
    );
    assert.equal(assembled.status, 0, assembled.stderr);
    const copied = spawnSync("objcopy", ["-O", "binary", "-j", ".text", object, binary], { encoding: "utf8" });
    assert.equal(copied.status, 0, copied.stderr);
    const source = readFileSync(join(PYTHON_CLIENT, "conflux", "__init__.py"), "utf8");
    const embedded = source.match(/_CODE = bytes\.fromhex\(\s*"([0-9a-f]+)"\s*\)/)?.[1];
    assert.ok(embedded, "the client embeds the handler's bytes");
    assert.equal(embedded, readFileSync(binary).toString("hex"));
  },
);
