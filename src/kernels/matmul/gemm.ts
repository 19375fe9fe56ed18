/**
 * The SIMD GEMM bound to one WebAssembly memory: packing plus micro-kernel,
 * addressed by byte offsets into that memory.
 * @module
 */
import { DEFAULT_GEMM_SHAPE, gemmModuleBytes, type GemmShape } from "./_gemm_module.ts";

interface GemmExports {
  pack_a(src: number, rs: number, cs: number, m: number, k: number, dst: number): void;
  pack_b(src: number, rs: number, cs: number, k: number, n: number, dst: number): void;
  gemm(ap: number, bp: number, c: number, m: number, n: number, k: number, ldc: number, tmp: number, acc: number): void;
}

const moduleCache = new Map<string, WebAssembly.Module>();
let relaxedSupported: boolean | undefined;

/**
 * Whether this runtime validates `f32x4.relaxed_madd` (relaxed SIMD).
 *
 * @example
 * ```ts
 * console.log(supportsRelaxedSimd());
 * ```
 */
export function supportsRelaxedSimd(): boolean {
  relaxedSupported ??= WebAssembly.validate(
    gemmModuleBytes({ ...DEFAULT_GEMM_SHAPE, relaxed: true }, { minPages: 0, shared: false }),
  );
  return relaxedSupported;
}

function compiled(shape: GemmShape, shared: boolean): WebAssembly.Module {
  const key = `${shape.mr}x${shape.nr}u${shape.unroll}${shape.relaxed ? "r" : ""}${shared ? "s" : ""}`;
  let module = moduleCache.get(key);
  if (!module) {
    const memory = shared ? { minPages: 0, maxPages: 65536, shared: true } : { minPages: 0, shared: false };
    module = new WebAssembly.Module(gemmModuleBytes(shape, memory));
    moduleCache.set(key, module);
  }
  return module;
}

/** A strided view of a matrix operand inside the GEMM's memory. */
export interface StridedMatrix {
  /** Byte offset of element (0, 0). */
  ptr: number;
  /** Element stride between rows. */
  rowStride: number;
  /** Element stride between columns. */
  colStride: number;
}

/**
 * `C = A·B` on float32 matrices that live in one WebAssembly memory. Any
 * operand layout is accepted through strides, so transposed operands cost
 * the same as plain ones: both are repacked into tiles first.
 *
 * @example
 * ```ts
 * const memory = new WebAssembly.Memory({ initial: 1 });
 * const gemm = new WasmGemm(memory);
 * const f = new Float32Array(memory.buffer);
 * f.set([1, 2, 3, 4], 0); // A = [[1, 2], [3, 4]]
 * f.set([1, 0, 0, 1], 4); // B = I
 * const scratch = 64;
 * gemm.matmul({ ptr: 0, rowStride: 2, colStride: 1 }, { ptr: 16, rowStride: 2, colStride: 1 }, 32, 2, 2, 2, scratch * 4);
 * console.log(Array.from(f.subarray(8, 12))); // [1, 2, 3, 4]
 * ```
 */
export class WasmGemm {
  /** The tile shape in use (relaxed SIMD only where supported). */
  readonly shape: GemmShape;
  readonly #fns: GemmExports;

  constructor(readonly memory: WebAssembly.Memory, shape: GemmShape = DEFAULT_GEMM_SHAPE) {
    this.shape = { ...shape, relaxed: shape.relaxed && supportsRelaxedSimd() };
    const shared = memory.buffer instanceof SharedArrayBuffer;
    const instance = new WebAssembly.Instance(compiled(this.shape, shared), { env: { memory } });
    this.#fns = instance.exports as unknown as GemmExports;
  }

  /** Bytes of scratch {@linkcode WasmGemm.matmul} needs for an `M×K · K×N` product. */
  scratchBytes(m: number, k: number, n: number): number {
    const { mr, nr } = this.shape;
    return this.#packedABytes(m, k) + Math.ceil(n / nr) * nr * k * 4 + mr * nr * 4;
  }

  #packedABytes(m: number, k: number): number {
    return Math.ceil(m / this.shape.mr) * this.shape.mr * k * 4;
  }

  /** Packs A into the start of `scratch`; reusable across calls to {@linkcode WasmGemm.multiplyPacked}. */
  packA(a: StridedMatrix, m: number, k: number, scratch: number): void {
    this.#fns.pack_a(a.ptr, a.rowStride, a.colStride, m, k, scratch);
  }

  /** Packs B after the packed A in `scratch`. */
  packB(b: StridedMatrix, m: number, k: number, n: number, scratch: number): void {
    this.#fns.pack_b(b.ptr, b.rowStride, b.colStride, k, n, scratch + this.#packedABytes(m, k));
  }

  /** Multiplies the operands already packed in `scratch` into row-major `C` (leading dimension `n`). */
  multiplyPacked(c: number, m: number, k: number, n: number, scratch: number, accumulate = false): void {
    const { nr } = this.shape;
    const bp = scratch + this.#packedABytes(m, k);
    const tmp = bp + Math.ceil(n / nr) * nr * k * 4;
    this.#fns.gemm(scratch, bp, c, m, n, k, n, tmp, accumulate ? 1 : 0);
  }

  /**
   * `C[m×n] = A[m×k] · B[k×n]` with C row-major at byte offset `c`;
   * `scratch` must hold {@linkcode WasmGemm.scratchBytes} bytes and overlap nothing.
   */
  matmul(a: StridedMatrix, b: StridedMatrix, c: number, m: number, k: number, n: number, scratch: number): void {
    this.packA(a, m, k, scratch);
    this.packB(b, m, k, n, scratch);
    this.multiplyPacked(c, m, k, n, scratch);
  }
}
