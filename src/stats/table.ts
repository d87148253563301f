// Plain-text tables for benchmark and run reports.

/** Pads every column to its widest cell; two spaces between columns. */
export function alignColumns(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((text, index) => {
      widths[index] = Math.max(widths[index] ?? 0, text.length);
    });
  }
  return rows.map((row) =>
    row
      .map((text, index) => text.padEnd(widths[index] ?? 0))
      .join("  ")
      .trimEnd(),
  );
}

/** A number in µs with as many decimals as its size deserves. */
export function formatMicroseconds(us: number): string {
  if (!Number.isFinite(us)) return "–";
  return us >= 1000 ? us.toFixed(0) : us >= 10 ? us.toFixed(1) : us >= 1 ? us.toFixed(2) : us.toFixed(3);
}
