/**
 * What a heap task is, and how its work is cut into parts. Every op's
 * `tasks.ts` imports this (and no more of `parallel/`), so the task registry
 * (`./tasks.ts`) can import the ops' tasks without a cycle.
 *
 * Imported by the workers: nothing here may load tfjs.
 * @module
 */

/**
 * One task: does part `part` of `parts` over `heap` (a float32 view of the
 * wasm backend's memory, or of the pool's own shared memory), reading its
 * float64 arguments (element offsets into the heap, sizes, constants) from
 * `args` and writing any partial results (e.g. per-block sums) into
 * `results`. `memory` is the memory `heap` views where this thread holds it
 * as a `WebAssembly.Memory` (always for the pool's own memory, which a task
 * running generated wasm in place imports; a worker that reaches the wasm
 * backend's memory through FFI holds only its bytes).
 */
export type HeapTask = (
  heap: Float32Array,
  args: Float64Array,
  part: number,
  parts: number,
  results: Float64Array,
  memory?: WebAssembly.Memory,
) => void;

/**
 * The half-open range `[lo, hi)` of part `part` of `parts` over `n` items,
 * cut at multiples of `align` (contiguous, covering `[0, n)` once).
 *
 * @example
 * ```ts
 * partRange(10, 0, 2); // [0, 5]
 * partRange(10, 1, 2, 4); // [4, 10]
 * ```
 */
export function partRange(n: number, part: number, parts: number, align = 1): [number, number] {
  const cut = (i: number) => i >= parts ? n : Math.min(n, Math.round((n * i) / parts / align) * align);
  return [cut(part), cut(part + 1)];
}
