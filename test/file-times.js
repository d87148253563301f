// A node:test reporter that prints, once every file has finished, how long each
// test file took (from its process's start to its end), slowest first.
export default async function* fileTimes(source) {
  const times = [];
  for await (const event of source) {
    // A file's own completion: the runner names the test after the file.
    if (event.type === "test:complete" && event.data.file !== undefined && event.data.name === event.data.file) {
      times.push({ file: event.data.file, ms: event.data.details.duration_ms, passed: event.data.details.passed });
    }
  }
  if (times.length === 0) return;
  times.sort((a, b) => b.ms - a.ms);
  const root = process.cwd();
  yield `\ntime per test file (${times.length} files, slowest first):\n`;
  for (const { file, ms, passed } of times) {
    const name = file.startsWith(`${root}/`) ? file.slice(root.length + 1) : file;
    yield `${(ms / 1000).toFixed(1).padStart(7)} s  ${name}${passed ? "" : "  (failed)"}\n`;
  }
}
