import assert from "node:assert/strict";
import { test } from "node:test";
import { reverseCuthillMcKee } from "../../../src/mapping/linalg/reverse-cuthill-mckee.ts";
import { seededRandom } from "../../support/seeded-random.ts";

function graph(count: number, edges: [number, number][]): { rowPointers: Int32Array; columns: Int32Array } {
  const lists: number[][] = Array.from({ length: count }, () => []);
  for (const [a, b] of edges) {
    lists[a]?.push(b);
    lists[b]?.push(a);
  }
  const rowPointers = new Int32Array(count + 1);
  lists.forEach((list, v) => {
    rowPointers[v + 1] = (rowPointers[v] as number) + list.length;
  });
  return { rowPointers, columns: Int32Array.from(lists.flat()) };
}

function bandwidth(order: Int32Array, edges: [number, number][]): number {
  const position = new Int32Array(order.length);
  order.forEach((vertex, index) => {
    position[vertex] = index;
  });
  return Math.max(...edges.map(([a, b]) => Math.abs((position[a] as number) - (position[b] as number))));
}

test("reverse Cuthill–McKee turns a shuffled grid graph back into a narrow band", () => {
  const side = 30;
  const random = seededRandom(1);
  const label = Array.from({ length: side * side }, (_, index) => index).sort(() => random() - 0.5);
  const edges: [number, number][] = [];
  for (let i = 0; i < side; i++) {
    for (let j = 0; j < side; j++) {
      const v = label[i * side + j] as number;
      if (i + 1 < side) edges.push([v, label[(i + 1) * side + j] as number]);
      if (j + 1 < side) edges.push([v, label[i * side + j + 1] as number]);
    }
  }
  const { rowPointers, columns } = graph(side * side, edges);
  const order = reverseCuthillMcKee(rowPointers, columns);
  assert.deepEqual(
    [...order].sort((a, b) => a - b),
    Array.from({ length: side * side }, (_, index) => index),
  );
  const identity = Int32Array.from({ length: side * side }, (_, index) => index);
  assert.ok(bandwidth(order, edges) <= 2 * side, `bandwidth ${bandwidth(order, edges)}`);
  assert.ok(bandwidth(identity, edges) > 10 * side);
});

test("reverse Cuthill–McKee orders every component, isolated vertices included", () => {
  const { rowPointers, columns } = graph(6, [
    [0, 3],
    [3, 5],
    [1, 4],
  ]);
  const order = reverseCuthillMcKee(rowPointers, columns);
  assert.deepEqual(
    [...order].sort((a, b) => a - b),
    [0, 1, 2, 3, 4, 5],
  );
});
