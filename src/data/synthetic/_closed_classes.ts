/**
 * Closed communicating classes of a directed graph (Tarjan's SCCs, without
 * recursion): a Markov chain has a unique stationary distribution iff it has
 * exactly one closed class.
 * @module
 */

/**
 * Strongly connected components with no edge leaving them.
 *
 * @example
 * ```ts
 * closedClasses(3, (v) => [[1], [0], [0]][v]); // [[0, 1]] (2 → 0 leaves, so {2} is transient)
 * ```
 */
export function closedClasses(n: number, successors: (v: number) => ArrayLike<number>): number[][] {
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const comp = new Int32Array(n).fill(-1);
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    const work: [number, number][] = [[root, 0]];
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const v = frame[0];
      const succ = successors(v);
      if (frame[1] < succ.length) {
        const w = succ[frame[1]++];
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          work.push([w, 0]);
        } else if (onStack[w]) low[v] = Math.min(low[v], index[w]);
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1][0];
        low[parent] = Math.min(low[parent], low[v]);
      }
      if (low[v] === index[v]) {
        const members: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          comp[w] = components.length;
          members.push(w);
        } while (w !== v);
        components.push(members);
      }
    }
  }
  return components.filter((members, c) => members.every((v) => Array.from(successors(v)).every((w) => comp[w] === c)))
    .map((m) => m.sort((a, b) => a - b));
}
