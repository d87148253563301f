import assert from "node:assert/strict";
import { test } from "node:test";
import type { EnclaveEnvironment } from "../../../src/record/enclave-environment.ts";
import type { RunRecord } from "../../../src/record/run-record.ts";
import { environmentDifferences } from "../../../src/repro/verify/environment-difference.ts";

function environment(): EnclaveEnvironment {
  return {
    kernel: { release: "6.1.0-18-amd64", build: "#1 SMP Debian 6.1.76-1" },
    cpu: { model: "AMD EPYC", flags: ["sse2", "avx2", "fma"] },
    executable: { path: "/usr/bin/node", sha256: "aa".repeat(32), bytes: 1 },
    libc: { family: "glibc", path: "/lib/libc.so.6", version: "2.36" },
    compilers: ["GCC: (Debian 12.2.0-14) 12.2.0"],
    runtime: { executable: "/usr/bin/node", versions: { node: "20.20.2", v8: "11.3" } },
    libraries: [
      { path: "/lib/libc.so.6", sha256: "bb".repeat(32), bytes: 1 },
      { path: "/lib/libm.so.6", sha256: "cc".repeat(32), bytes: 1 },
    ],
    floatingPoint: { cpuFeatures: ["sse2", "avx2", "fma"], nodeFlags: [], env: {} },
  };
}

function record(): RunRecord {
  return {
    format: "conflux-run",
    version: 2,
    name: "x",
    runId: "1",
    status: "completed",
    composition: { file: "/c.yaml", sha256: "00".repeat(32), bytes: 1, copy: "composition-c.yaml" },
    commandLine: [],
    startedUnixMs: 0,
    finishedUnixMs: 1,
    iterations: { planned: 1, completed: 1 },
    driver: {
      pid: 1,
      host: { hostname: "h" },
      conflux: { version: "0.1.0", commit: "abc" },
      hostCompiler: "cc 12",
      environment: environment(),
      env: { HOME: "/root" },
    },
    enclaves: [
      {
        component: "appA",
        kind: "process",
        pid: 2,
        description: {
          kind: "process",
          name: "appA",
          pid: 2,
          platform: "linux",
          arch: "x64",
          kernel: "6.1.0-18-amd64",
          cpuModel: "AMD EPYC",
          cpus: [0],
          commandLine: [],
          cwd: "/",
          env: { CONFLUX_RUN_DIR: "/dev/shm/conflux-1", OMP_NUM_THREADS: "1" },
        },
        environment: environment(),
      },
    ],
    seeds: [{ component: "appA", source: "args.seed", value: 1 }],
    inputs: [{ path: "/app.ts", sha256: "dd".repeat(32), bytes: 1, role: "module", component: "appA" }],
    setupMs: {},
    timing: { wallMs: 1 },
    timings: {},
    fields: [],
  };
}

test("two runs on the same machine and inputs differ in nothing that counts, whatever their pids and run directories", () => {
  const replay = record();
  replay.runId = "2";
  replay.driver.pid = 99;
  const enclave = replay.enclaves[0] as RunRecord["enclaves"][number];
  enclave.pid = 98;
  enclave.description.env.CONFLUX_RUN_DIR = "/dev/shm/conflux-2";
  assert.deepEqual(environmentDifferences(record(), replay), []);
});

test("kernel, CPU flags, libraries, node, variables, seeds and inputs are each named", () => {
  const replay = record();
  const enclave = replay.enclaves[0] as RunRecord["enclaves"][number];
  const seen = enclave.environment as EnclaveEnvironment;
  seen.kernel = { release: "6.1.0-20-amd64" };
  seen.cpu.flags = ["sse2", "avx2", "avx512f"];
  (seen.libraries[1] as { sha256: string }).sha256 = "ee".repeat(32);
  seen.libraries.push({ path: "/lib/libgomp.so.1", sha256: "ff".repeat(32), bytes: 1 });
  seen.libc.version = "2.37";
  (seen.runtime as { versions: Record<string, string> }).versions.node = "22.1.0";
  enclave.description.env.OMP_NUM_THREADS = "8";
  replay.seeds = [{ component: "appA", source: "args.seed", value: 2 }];
  (replay.inputs[0] as { sha256: string }).sha256 = "11".repeat(32);
  replay.driver.conflux.commit = "def";
  assert.deepEqual(environmentDifferences(record(), replay), [
    "conflux: commit abc → def",
    "appA: kernel 6.1.0-18-amd64 → 6.1.0-20-amd64",
    "appA: CPU flags -fma +avx512f",
    "appA: C library glibc 2.36 → glibc 2.37",
    "appA: node 20.20.2 → 22.1.0",
    `appA: library /lib/libm.so.6 changed (sha256 ${"cc".repeat(6)} → ${"ee".repeat(6)})`,
    "appA: library /lib/libgomp.so.1 newly loaded",
    "appA: environment variables OMP_NUM_THREADS 1 → 8",
    "appA: seed args.seed 1 → 2",
    `appA: input /app.ts (module) changed (sha256 ${"dd".repeat(6)} → ${"11".repeat(6)})`,
  ]);
});
