// Data for a page's scripts as a JSON script block. The browser ends a script element at the first `</script`
// whatever JSON thinks of it, and `<!--` changes how the rest is parsed, so every `<`, `>` and `&` is written as a
// JSON escape: the block then holds no markup at all, and JSON.parse gives back the very strings. U+2028 and U+2029
// are escaped too, for readers that evaluate the text as JavaScript.
export function jsonScriptText(data: unknown): string {
  return JSON.stringify(data)
    .replaceAll("<", "\\u003c")
    .replaceAll(">", "\\u003e")
    .replaceAll("&", "\\u0026")
    .replaceAll("\u2028", "\\u2028")
    .replaceAll("\u2029", "\\u2029");
}

/** A `<script type="application/json">` element the page reads with JSON.parse(element.textContent). */
export function jsonScriptBlock(id: string, data: unknown): string {
  return `<script type="application/json" id="${id}">${jsonScriptText(data)}</script>`;
}
