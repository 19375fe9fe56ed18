/**
 * A binary min-heap over numbers with a caller-given order, used by BPE
 * training (best pair first) and encoding (lowest merge rank first).
 * @module
 */

/**
 * Min-heap of items ordered by `less`.
 *
 * @example
 * ```ts
 * const heap = new Heap<number>((a, b) => a < b);
 * [3, 1, 2].forEach((x) => heap.push(x));
 * heap.pop(); // 1
 * ```
 */
export class Heap<T> {
  #items: T[] = [];
  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.#items.length;
  }

  push(item: T): void {
    const items = this.#items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(items[i], items[parent])) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }

  pop(): T | undefined {
    const items = this.#items;
    if (items.length === 0) return undefined;
    const top = items[0];
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && this.less(items[l], items[m])) m = l;
        if (r < items.length && this.less(items[r], items[m])) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m], items[i]];
        i = m;
      }
    }
    return top;
  }
}
