import assert from "node:assert/strict";
import { test } from "node:test";
import { floatingPointFeatures } from "../../src/record/cpu-facts.ts";
import { floatingPointSettings, nodeOptionsOf } from "../../src/record/floating-point-settings.ts";

test("the settings keep the variables that steer numerics and the V8 flags, not the loaders", () => {
  const settings = floatingPointSettings(
    {
      OMP_NUM_THREADS: "4",
      MKL_CBWR: "COMPATIBLE",
      GLIBC_TUNABLES: "glibc.cpu.hwcaps=-AVX2",
      HOME: "/root",
      NODE_OPTIONS: "--no-opt --require x.js",
    },
    ["fpu", "vme", "sse2", "avx2", "fma", "avx512f", "aes"],
    ["--import", "file:///loader.mjs", "--jitless"],
  );
  assert.deepEqual(settings.env, {
    GLIBC_TUNABLES: "glibc.cpu.hwcaps=-AVX2",
    MKL_CBWR: "COMPATIBLE",
    NODE_OPTIONS: "--no-opt --require x.js",
    OMP_NUM_THREADS: "4",
  });
  assert.deepEqual(settings.nodeFlags, ["--jitless", "--no-opt"]);
  assert.deepEqual(settings.cpuFeatures, ["fpu", "sse2", "avx2", "fma", "avx512f"]);
  assert.deepEqual(floatingPointFeatures(["asimd", "neon", "sve"]), ["asimd", "sve"]);
});

test("node options are read from a command line between node and the script", () => {
  assert.deepEqual(
    nodeOptionsOf(
      [
        "/usr/bin/setpriv",
        "--pdeathsig",
        "KILL",
        "--",
        "/usr/bin/node",
        "--import",
        "tsx",
        "--no-opt",
        "/app.ts",
        "--seed",
      ],
      "/usr/bin/node",
    ),
    ["--import", "tsx", "--no-opt"],
  );
  assert.deepEqual(nodeOptionsOf(["/usr/bin/python3", "app.py"], "/usr/bin/node"), []);
});
