// Reverse Cuthill–McKee ordering of a symmetric sparsity pattern: a
// breadth-first numbering from a peripheral vertex, neighbours by increasing
// degree, reversed. It gathers the non-zeros of a compactly supported RBF
// matrix near the diagonal, so its Cholesky envelope — and the work to
// factor it — stays small.

/**
 * `order[newIndex] = oldIndex` for the graph whose neighbours of vertex v are
 * columns[rowPointers[v] .. rowPointers[v + 1]) (self loops are ignored).
 */
export function reverseCuthillMcKee(rowPointers: Int32Array, columns: Int32Array): Int32Array {
  const count = rowPointers.length - 1;
  const degree = new Int32Array(count);
  for (let v = 0; v < count; v++) degree[v] = (rowPointers[v + 1] as number) - (rowPointers[v] as number);
  const order = new Int32Array(count);
  const visited = new Uint8Array(count);
  const levels = new Int32Array(count);
  const scratch = new Int32Array(count);
  let placed = 0;
  for (let seed = 0; seed < count; seed++) {
    if (visited[seed]) continue;
    const root = peripheralVertex(seed, rowPointers, columns, degree, levels, scratch);
    // Breadth-first from the root, appending into `order` (which doubles as the queue).
    visited[root] = 1;
    order[placed] = root;
    let head = placed;
    placed++;
    while (head < placed) {
      const v = order[head++] as number;
      const begin = placed;
      for (let entry = rowPointers[v] as number; entry < (rowPointers[v + 1] as number); entry++) {
        const w = columns[entry] as number;
        if (visited[w]) continue;
        visited[w] = 1;
        // Insertion by degree keeps each vertex's new neighbours in increasing degree.
        let slot = placed++;
        while (slot > begin && (degree[order[slot - 1] as number] as number) > (degree[w] as number)) {
          order[slot] = order[slot - 1] as number;
          slot--;
        }
        order[slot] = w;
      }
    }
  }
  order.reverse();
  return order;
}

/**
 * George–Liu: start anywhere in the component, jump to a vertex of least degree
 * in the last breadth-first level while that deepens the level structure.
 */
function peripheralVertex(
  seed: number,
  rowPointers: Int32Array,
  columns: Int32Array,
  degree: Int32Array,
  levels: Int32Array,
  queue: Int32Array,
): number {
  let root = seed;
  let depth = -1;
  for (let attempt = 0; attempt < 8; attempt++) {
    // Breadth-first levels from root; `levels` holds level + 1 (0 = unseen) and is reset afterwards.
    queue[0] = root;
    levels[root] = 1;
    let head = 0;
    let tail = 1;
    while (head < tail) {
      const v = queue[head++] as number;
      for (let entry = rowPointers[v] as number; entry < (rowPointers[v + 1] as number); entry++) {
        const w = columns[entry] as number;
        if (levels[w] !== 0) continue;
        levels[w] = (levels[v] as number) + 1;
        queue[tail++] = w;
      }
    }
    const lastLevel = levels[queue[tail - 1] as number] as number;
    let candidate = queue[tail - 1] as number;
    for (let index = tail - 1; index >= 0 && levels[queue[index] as number] === lastLevel; index--) {
      const v = queue[index] as number;
      if ((degree[v] as number) < (degree[candidate] as number)) candidate = v;
    }
    for (let index = 0; index < tail; index++) levels[queue[index] as number] = 0;
    if (lastLevel <= depth) break;
    depth = lastLevel;
    root = candidate;
  }
  return root;
}
