// The initramfs writer: what the kernel's unpacker reads back, entry by entry.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { writeCpioArchive } from "../../../../src/enclave/vm/image/cpio-archive.ts";

interface Read {
  name: string;
  mode: number;
  data: string;
}

/** A newc reader, as the kernel's: 110-byte ASCII headers, 4-byte alignment, until TRAILER!!!. */
function readArchive(bytes: Buffer): Read[] {
  const entries: Read[] = [];
  let at = 0;
  const align = (offset: number) => (offset + 3) & ~3;
  for (;;) {
    assert.equal(bytes.toString("ascii", at, at + 6), "070701", `magic at ${at}`);
    const field = (index: number) =>
      Number.parseInt(bytes.toString("ascii", at + 6 + index * 8, at + 14 + index * 8), 16);
    const mode = field(1);
    const size = field(6);
    const nameSize = field(11);
    const name = bytes.toString("utf8", at + 110, at + 110 + nameSize - 1);
    const dataStart = align(at + 110 + nameSize);
    if (name === "TRAILER!!!") return entries;
    entries.push({ name, mode, data: bytes.toString("utf8", dataStart, dataStart + size) });
    at = align(dataStart + size);
  }
}

test("an archive holds directories, files with their modes and content, and symbolic links, then the trailer", (t) => {
  const directory = mkdtempSync(join(tmpdir(), "conflux-cpio-"));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  const source = join(directory, "source");
  writeFileSync(source, "hello, guest\n");
  const archive = join(directory, "archive.cpio");
  writeCpioArchive(archive, [
    { path: "/conflux", type: "directory", mode: 0o755 },
    { path: "/conflux/agent", type: "file", mode: 0o755, source },
    { path: "/lib", type: "symlink", target: "usr/lib" },
  ]);
  const bytes = readFileSync(archive);
  assert.equal(bytes.length % 4, 0);
  assert.deepEqual(readArchive(bytes), [
    { name: "conflux", mode: 0o040755, data: "" },
    { name: "conflux/agent", mode: 0o100755, data: "hello, guest\n" },
    { name: "lib", mode: 0o120777, data: "usr/lib" },
  ]);
  const again = join(directory, "again.cpio");
  writeCpioArchive(again, [{ path: "/conflux", type: "directory", mode: 0o755 }]);
  assert.throws(() => writeCpioArchive(again, []), /EEXIST/, "an archive is never overwritten in place");
});
