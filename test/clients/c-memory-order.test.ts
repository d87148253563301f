// The ring's wake-up protocol in the C client, as the compiler sees it: after a
// side publishes (stores tail or head) it reads the peer's sleeping flag, and
// the peer raises that flag before it re-reads the counter. That is Dekker's
// pattern: it needs sequentially consistent order on both sides (or a full
// fence), or the load may be satisfied before the store is visible and a
// sleeping peer is never woken (docs/wire-format.md, "Clients"). x86 hides the
// difference (its seq_cst store is a locked instruction); an acquire load after
// a release store may pass it on Arm (LDAPR) and under the C11 model. So this
// test reads what the compiler was asked for: GCC's GIMPLE after optimisation,
// where each __atomic builtin carries its memory order (2 acquire, 5 seq_cst).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { compilerCommand } from "../../src/platform/c-compiler.ts";
import { GCC, needs, skipBecause } from "../support/requirements.ts";
import { C_CLIENT, scratchDirectory } from "./toolchain.ts";

const SEQ_CST = "5";
/** FUTEX_WAKE through syscall(2) as GIMPLE prints it: the futex number of this machine, then the word, then op 1. */
const FUTEX_NUMBER: Record<string, number> = { x64: 202, arm64: 98 };

interface AtomicOperation {
  kind: "store" | "load" | "fence" | "rmw" | "wake";
  order: string;
  text: string;
}

function operations(body: string, futex: number): AtomicOperation[] {
  const found: AtomicOperation[] = [];
  const pattern = new RegExp(
    `__atomic_(store|load|thread_fence|fetch_add|compare_exchange|exchange)_?\\d* \\(([^;]*)\\)|syscall \\(${futex}, [^,]+, 1,`,
    "g",
  );
  for (const match of body.matchAll(pattern)) {
    const [text, builtin = "", args = ""] = match;
    if (text.startsWith("syscall")) {
      found.push({ kind: "wake", order: "", text });
      continue;
    }
    const order =
      args
        .split(",")
        .at(builtin === "compare_exchange" ? -2 : -1)
        ?.trim() ?? "";
    const kind =
      builtin === "store" ? "store" : builtin === "load" ? "load" : builtin === "thread_fence" ? "fence" : "rmw";
    found.push({ kind, order, text });
  }
  return found;
}

test(
  "the C client reads the peer's sleeping flag in sequentially consistent order after it publishes (no lost wake-up)",
  // It reads GCC's GIMPLE dump, so the compiler must be GCC.
  skipBecause(
    FUTEX_NUMBER[process.arch] === undefined
      ? `the futex system call number of ${process.arch} is not known here`
      : undefined,
    needs(GCC),
  ),
  (t) => {
    const directory = scratchDirectory(t);
    const dump = join(directory, "conflux.optimized");
    const built = spawnSync(
      compilerCommand() as string,
      [
        "-std=c99",
        "-O2",
        `-fdump-tree-optimized=${dump}`,
        "-c",
        join(C_CLIENT, "conflux.c"),
        "-o",
        join(directory, "conflux.o"),
      ],
      { encoding: "utf8" },
    );
    assert.equal(built.status, 0, built.stderr);
    const futex = FUTEX_NUMBER[process.arch] as number;
    let published = 0;
    const wrong: string[] = [];
    for (const chunk of readFileSync(dump, "utf8")
      .split(/^;; Function /m)
      .slice(1)) {
      const name = chunk.slice(0, chunk.indexOf(" "));
      const ops = operations(chunk, futex);
      ops.forEach((op, index) => {
        // A wake guarded by a load of the peer's flag, after this side's publishing store.
        const load = ops[index - 1];
        if (op.kind !== "wake" || load?.kind !== "load") return;
        const before = ops.slice(0, index - 1).reverse();
        const store = before.findIndex((other) => other.kind === "store" || other.kind === "rmw");
        if (store < 0) return;
        published++;
        const fenced = before.slice(0, store).some((other) => other.kind === "fence" && other.order === SEQ_CST);
        if (load.order !== SEQ_CST && !fenced) {
          wrong.push(`${name}: ${before[store]?.text} then ${load.text} (memory order ${load.order}, not 5 seq_cst)`);
        }
      });
    }
    assert.ok(
      published >= 2,
      `found ${published} publish-then-check-the-sleeping-flag sequences; expected send and receive`,
    );
    assert.deepEqual(wrong, [], "every load of the peer's sleeping flag after a publish is seq_cst or fenced");
  },
);
