/**
 * Running a generated SIMD module on the wasm backend's tensors from any heap
 * thread. A worker sees tfjs's memory only as an FFI view, to which no
 * WebAssembly instance can be bound (the memory is not shared), so a worker
 * copies its block of rows into a memory of its own, runs the module there
 * and copies the results back; the calling thread, whose heap view is of the
 * memory itself ({@linkcode setHeapMemory}), runs the same module in place.
 * The arithmetic is the same code on the same values either way, which is
 * what keeps the bits independent of the thread count; the copies are
 * memcpy-speed passes over blocks that stay in the core's cache for the
 * kernel that follows.
 *
 * Imported by the workers: nothing here may load tfjs.
 * @module
 */
import { buildModule, type FuncBuilder } from "./asm.ts";

/**
 * A module written with `./asm.ts` that imports `env.memory`, compiled at
 * first use and instantiated once per memory it runs on.
 *
 * @example
 * ```ts
 * declare function scaleModuleBytes(): Uint8Array<ArrayBuffer>; // built with ./asm.ts
 * const rows = new SimdModule<{ scale(p: number, n: number): void }>(() => scaleModuleBytes());
 * const staged = rows.staging(1024);
 * staged?.exports.scale(0, 1024);
 * ```
 */
export class SimdModule<E extends object> {
  #compiled: WebAssembly.Module | null | undefined;
  #bound = new WeakMap<WebAssembly.Memory, E>();

  constructor(private readonly bytes: () => Uint8Array<ArrayBuffer>) {}

  /** Whether the runtime has wasm SIMD (the module compiles). */
  get available(): boolean {
    return this.#module() !== null;
  }

  #module(): WebAssembly.Module | null {
    if (this.#compiled === undefined) {
      try {
        this.#compiled = new WebAssembly.Module(this.bytes());
      } catch {
        this.#compiled = null;
      }
    }
    return this.#compiled;
  }

  /** The exports bound to `memory`, or `null` without wasm SIMD. */
  on(memory: WebAssembly.Memory): E | null {
    const module = this.#module();
    if (!module) return null;
    let exports = this.#bound.get(memory);
    if (!exports) {
      exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as E;
      this.#bound.set(memory, exports);
    }
    return exports;
  }

  /**
   * This thread's staging memory, grown to at least `floats` float32 slots,
   * with the module bound to it; `null` without wasm SIMD. The view is valid
   * until the next call (growing replaces it).
   */
  staging(floats: number): Staging<E> | null {
    const memory = stagingMemory(floats);
    const exports = this.on(memory);
    return exports ? { exports, memory, floats: new Float32Array(memory.buffer) } : null;
  }
}

/**
 * The {@linkcode SimdModule} of `funcs` (export name → the generator of its
 * function), importing `env.memory`: the one way the kernels' SIMD modules are
 * built.
 *
 * @example
 * ```ts
 * import type { FuncBuilder } from "./asm.ts";
 * declare function negateFunc(): FuncBuilder;
 * const NEGATE = simdModule<{ neg(p: number, n: number): void }>({ neg: negateFunc });
 * ```
 */
export function simdModule<E extends object>(funcs: Record<keyof E & string, () => FuncBuilder>): SimdModule<E> {
  return new SimdModule<E>(() =>
    buildModule({
      memory: { minPages: 1, shared: false },
      funcs: Object.entries<() => FuncBuilder>(funcs).map(([name, make]) => ({ name, func: make() })),
    })
  );
}

/** A module's exports bound to this thread's staging memory, that memory, and a float32 view of it. */
export interface Staging<E> {
  exports: E;
  memory: WebAssembly.Memory;
  floats: Float32Array;
}

let memory: WebAssembly.Memory | null = null;

function stagingMemory(floats: number): WebAssembly.Memory {
  const pages = Math.ceil((floats * 4) / 65536);
  if (!memory) memory = new WebAssembly.Memory({ initial: Math.max(1, pages) });
  const have = memory.buffer.byteLength / 65536;
  if (have < pages) memory.grow(pages - have);
  return memory;
}

let heapMemory: WebAssembly.Memory | null = null;

/**
 * Names the wasm memory this thread's heap views are of (the heap threads'
 * caller sets tfjs's before running a task; workers never do), so that
 * {@linkcode stagedRows} runs in place there instead of staging.
 *
 * @example
 * ```ts
 * import type { HeapTarget } from "../parallel/mod.ts";
 * declare const target: HeapTarget;
 * setHeapMemory(target.memory);
 * ```
 */
export function setHeapMemory(memory: WebAssembly.Memory | null): void {
  heapMemory = memory;
}

/** Floats of each row-split array a staged block holds (several arrays together fit in a core's L2). */
export const STAGE_BLOCK_FLOATS = 1 << 14;

/** What {@linkcode stagedRows} copies in and out, as float32 element offsets into the heap. */
export interface StagedArrays {
  /** Row-major arrays read by the kernel, `rowFloats` floats a row. */
  inputs: readonly number[];
  /** Row-major arrays it writes, `rowFloats` floats a row. */
  outputs: readonly number[];
  /** Floats per row of every input and output. */
  rowFloats: number;
  /** Arrays read whole by every block (weights, tables): `[offset, floats]`. */
  constants?: readonly (readonly [number, number])[];
  /** Zeroed float32 scratch per block (a block's partial sums), in floats. */
  scratchFloats?: number;
  /** Rows per block; default: as many as fit {@linkcode STAGE_BLOCK_FLOATS}. */
  blockRows?: number;
}

/** Byte offsets, in the staging memory, of one block's arrays. */
export interface StagedBlock {
  inputs: number[];
  outputs: number[];
  constants: number[];
  scratch: number;
  /** float32 view of the staging memory (to read the scratch back). */
  floats: Float32Array;
}

/**
 * Runs `body` over rows `[lo, hi)` block by block: each block's input rows
 * are copied into the staging memory, `body(exports, block, rows, first)`
 * computes the block there, and its output rows are copied back into the
 * heap. On the thread whose heap is the memory named by
 * {@linkcode setHeapMemory}, blocks without scratch whose float counts are
 * multiples of 4 run in place instead (same blocks, pointers into the heap),
 * so a body may round its block up to whole quads either way. Returns `false`
 * (having done nothing) without wasm SIMD.
 *
 * @example
 * ```ts
 * declare const SCALE: SimdModule<{ scale(x: number, y: number, n: number): void }>;
 * declare const heap: Float32Array, x: number, y: number, n: number; // x, y: offsets of [2048, n] arrays
 * stagedRows(SCALE, heap, { inputs: [x], outputs: [y], rowFloats: n }, 0, 2048, (e, b, r) => e.scale(b.inputs[0], b.outputs[0], r * n));
 * ```
 */
export function stagedRows<E extends object>(
  module: SimdModule<E>,
  heap: Float32Array,
  arrays: StagedArrays,
  lo: number,
  hi: number,
  body: (exports: E, block: StagedBlock, rows: number, first: number) => void,
): boolean {
  const { inputs, outputs, rowFloats: n, constants = [], scratchFloats = 0 } = arrays;
  const step = arrays.blockRows ?? Math.max(1, Math.floor(STAGE_BLOCK_FLOATS / Math.max(1, n)));
  // Every region starts on a 16-byte boundary.
  const round4 = (f: number) => Math.ceil(f / 4) * 4;
  const starts: number[] = [];
  let at = 0;
  for (const [, floats] of constants) {
    starts.push(at);
    at += round4(floats);
  }
  const scratch = at;
  at += round4(scratchFloats);
  const blockFloats = round4(step * n);
  const direct = heapMemory && heapMemory.buffer === heap.buffer && scratchFloats === 0 ? module.on(heapMemory) : null;
  if (direct && (step * n) % 4 === 0 && ((hi - lo) * n) % 4 === 0) {
    const block: StagedBlock = {
      inputs: [],
      outputs: [],
      constants: constants.map(([offset]) => offset * 4),
      scratch: 0,
      floats: heap,
    };
    for (let first = lo; first < hi; first += step) {
      block.inputs = inputs.map((offset) => (offset + first * n) * 4);
      block.outputs = outputs.map((offset) => (offset + first * n) * 4);
      body(direct, block, Math.min(hi, first + step) - first, first);
    }
    return true;
  }
  const staging = module.staging(at + (inputs.length + outputs.length) * blockFloats);
  if (!staging) return false;
  const { exports, floats } = staging;
  constants.forEach(([offset, length], i) => floats.set(heap.subarray(offset, offset + length), starts[i]));
  const inAt = inputs.map((_, i) => at + i * blockFloats);
  const outAt = outputs.map((_, i) => at + (inputs.length + i) * blockFloats);
  const block: StagedBlock = {
    inputs: inAt.map((f) => f * 4),
    outputs: outAt.map((f) => f * 4),
    constants: starts.map((f) => f * 4),
    scratch: scratch * 4,
    floats,
  };
  for (let first = lo; first < hi; first += step) {
    const rows = Math.min(hi, first + step) - first;
    const len = rows * n;
    inputs.forEach((offset, i) => floats.set(heap.subarray(offset + first * n, offset + first * n + len), inAt[i]));
    if (scratchFloats) floats.fill(0, scratch, scratch + scratchFloats);
    body(exports, block, rows, first);
    outputs.forEach((offset, i) => heap.set(floats.subarray(outAt[i], outAt[i] + len), offset + first * n));
  }
  return true;
}
