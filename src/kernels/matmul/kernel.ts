/**
 * `BatchMatMul` and `_FusedMatMul` kernel functions for the `wasm` and `cpu`
 * backends, computed by the native BLAS when one is in use (operands passed
 * in place: wasm tensors as views of the module's memory, cpu tensors as
 * their own Float32Arrays), otherwise by the SIMD {@linkcode WasmGemm}:
 *
 * - wasm: the GEMM module imports the backend's own memory, so tensors are
 *   read and written in place, with no copies.
 * - cpu: operands are copied into a private memory and the result copied out;
 *   the copies are O(size) against the O(m·k·n) product.
 * @module
 */
import { tf } from "../../backend/tf.ts";
import { type BatchMatMulPlan, batchMatMulScratchBytes, planBatchMatMul, runBatchMatMul } from "./_batch_matmul.ts";
import { WasmGemm } from "./gemm.ts";
import { runGemmJob } from "./_gemm_job.ts";
import type { WorkerPool } from "../parallel/pool.ts";
import type { NativeBlas } from "./native_blas.ts";
import { runNativeBatchMatMul } from "./_native_matmul.ts";
import { gemmBlocks, SGEMM_TASK_HEAD } from "./tasks.ts";
import { heapTarget, MAX_TASK_ARGS, runHeapTask } from "../parallel/mod.ts";

type TensorInfo = tf.TensorInfo;
type KernelFunc = tf.KernelFunc;

interface WasmModule {
  asm: { memory: WebAssembly.Memory };
  HEAPF32: Float32Array;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
}

interface WasmBackendLike {
  wasm: WasmModule;
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  disposeData(dataId: object): boolean;
}

interface CpuBackendLike {
  readSync(dataId: object): tf.backend_util.BackendValues;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): TensorInfo;
  disposeData(dataId: object): boolean;
}

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

interface FusedAttrs extends MatMulAttrs {
  activation?: string;
  leakyreluAlpha?: number;
}

interface WasmScratch {
  gemm: WasmGemm;
  scratch: number;
  scratchBytes: number;
}

interface CpuMemory {
  memory: WebAssembly.Memory;
  gemm: WasmGemm;
}

/**
 * What the matmul kernels run on, owned by the kernel install
 * (`../install.ts`) and handed to the kernel functions it builds: the native
 * BLAS (every float32 matmul goes to it while set) and the worker pool
 * (products of at least {@linkcode POOL_MIN_FLOPS} on the wasm GEMM run on
 * all its threads), plus each backend's scratch memory for the wasm GEMM.
 *
 * @example
 * ```ts
 * import { nativeBlas } from "./native_blas.ts";
 * const context = new MatMulContext();
 * context.blas = nativeBlas();
 * console.log(context.threads); // 1: no pool
 * ```
 */
export class MatMulContext {
  blas: NativeBlas | null = null;
  pool: WorkerPool | null = null;
  readonly #wasm = new WeakMap<object, WasmScratch>();
  #cpu: CpuMemory | undefined;

  /** Threads a large product on the wasm GEMM runs on now. */
  get threads(): number {
    return this.pool && !this.pool.closed ? this.pool.threads : 1;
  }

  /** The wasm backend's GEMM over its own memory, with scratch of at least `bytes` allocated in it. */
  wasmScratch(backend: WasmBackendLike, bytes: number): WasmScratch {
    let ctx = this.#wasm.get(backend);
    if (!ctx) {
      ctx = { gemm: new WasmGemm(backend.wasm.asm.memory), scratch: 0, scratchBytes: 0 };
      this.#wasm.set(backend, ctx);
    }
    if (ctx.scratchBytes >= bytes) return ctx;
    if (ctx.scratch) backend.wasm._free(ctx.scratch);
    // Grow geometrically so a run of slightly larger shapes does not reallocate each time.
    const size = Math.max(bytes, Math.ceil(ctx.scratchBytes * 1.5), 1 << 16);
    ctx.scratch = backend.wasm._malloc(size);
    if (!ctx.scratch) throw new Error(`wasm backend could not allocate ${size} bytes of matmul scratch`);
    ctx.scratchBytes = size;
    return ctx;
  }

  /** The cpu backend's private memory and its GEMM. */
  cpuMemory(): CpuMemory {
    if (!this.#cpu) {
      const memory = new WebAssembly.Memory({ initial: 16 });
      this.#cpu = { memory, gemm: new WasmGemm(memory) };
    }
    return this.#cpu;
  }

  /** The pool for `plan` on the wasm GEMM: null when it is too small to be worth the threads. */
  poolFor(plan: BatchMatMulPlan): WorkerPool | null {
    if (this.threads < 2) return null;
    return 2 * plan.foldedM * plan.k * plan.n * plan.pairs.length >= POOL_MIN_FLOPS ? this.pool : null;
  }
}

/**
 * Smaller products stay on the calling thread: below this, the copies into
 * the shared memory and the wake-up of the workers cost more than they save.
 */
export const POOL_MIN_FLOPS = 4e6;

const sizeOf = (t: TensorInfo) => t.shape.reduce((p, d) => p * d, 1);

/**
 * A batch of GEMMs each below this many FLOPs runs whole GEMMs on each heap
 * thread rather than each GEMM's blocks over all threads: cutting a product
 * this small costs more in waking and joining the threads than it saves.
 */
export const PER_THREAD_GEMM_MAX_FLOPS = 8e6;

/**
 * Every wasm GEMM on the native BLAS runs as heap tasks, each BLAS call on
 * its thread alone (the calling thread's when there is no worker pool): small
 * batched products one per thread, others in the row or column blocks their
 * shape fixes ({@linkcode gemmBlocks}), spread over the threads when large
 * enough. The blocks, not the threads, decide how an element is summed, so
 * the bits do not depend on the thread count.
 */
function runNativeOnPool(backend: WasmBackendLike, plan: BatchMatMulPlan, operands: TensorInfo[]) {
  const [a, b, out] = operands.map((t) => backend.dataIdMap.get(t.dataId).memoryOffset / 4);
  const { transposeA, transposeB, foldedM, n, k, m, pairs } = plan;
  const flags = [transposeA ? 1 : 0, transposeB ? 1 : 0];
  const target = heapTarget(backend);
  if (pairs.length > 1 && 2 * foldedM * k * n <= PER_THREAD_GEMM_MAX_FLOPS) {
    for (let first = 0; first < pairs.length; first += MAX_PAIRS_PER_TASK) {
      const run = pairs.slice(first, first + MAX_PAIRS_PER_TASK);
      const at = out + first * foldedM * n;
      runHeapTask(target, "sgemmPairs", [...flags, foldedM, n, k, m, a, b, at, ...run.flat()], Infinity);
    }
    return;
  }
  const axis = foldedM >= n ? 0 : 1;
  const spread = gemmBlocks(axis === 0 ? foldedM : n) > 1 && 2 * foldedM * n * k >= POOL_MIN_FLOPS;
  pairs.forEach(([ia, ib], i) => {
    const args = [...flags, foldedM, n, k, a + ia * m * k, b + ib * k * n, out + i * foldedM * n, axis];
    runHeapTask(target, "sgemmSplit", args, spread ? Infinity : 0);
  });
}

const MAX_PAIRS_PER_TASK = (MAX_TASK_ARGS - SGEMM_TASK_HEAD) >> 1;

function wasmMatMul(
  context: MatMulContext,
  backend: WasmBackendLike,
  a: TensorInfo,
  b: TensorInfo,
  attrs: MatMulAttrs,
): TensorInfo {
  const plan = planBatchMatMul(a.shape, b.shape, attrs.transposeA, attrs.transposeB);
  if (context.blas) {
    const out = backend.makeOutput(plan.outShape, "float32");
    runNativeOnPool(backend, plan, [a, b, out]);
    return out;
  }
  const threaded = context.poolFor(plan);
  if (threaded) {
    const out = backend.makeOutput(plan.outShape, "float32");
    const ptr = (t: TensorInfo) => backend.dataIdMap.get(t.dataId).memoryOffset / 4;
    const aSize = sizeOf(a), bSize = sizeOf(b), outSize = sizeOf(out);
    runGemmJob(threaded, plan, aSize, bSize, (buf) => {
      // HEAPF32 is re-created by emscripten when its memory grows; read it at use.
      const heap = backend.wasm.HEAPF32;
      buf.heap.set(heap.subarray(ptr(a), ptr(a) + aSize), buf.a);
      buf.heap.set(heap.subarray(ptr(b), ptr(b) + bSize), buf.b);
    }, (buf) => backend.wasm.HEAPF32.set(buf.heap.subarray(buf.out, buf.out + outSize), ptr(out)));
    return out;
  }
  const gemm = context.wasmScratch(backend, 0).gemm;
  const ctx = context.wasmScratch(backend, batchMatMulScratchBytes(gemm, plan));
  const out = backend.makeOutput(plan.outShape, "float32");
  const ptr = (t: TensorInfo) => backend.dataIdMap.get(t.dataId).memoryOffset;
  runBatchMatMul(ctx.gemm, plan, ptr(a), ptr(b), ptr(out), ctx.scratch);
  return out;
}

function cpuMatMul(
  context: MatMulContext,
  backend: CpuBackendLike,
  a: TensorInfo,
  b: TensorInfo,
  attrs: MatMulAttrs,
): TensorInfo {
  const plan = planBatchMatMul(a.shape, b.shape, attrs.transposeA, attrs.transposeB);
  const blas = context.blas;
  if (blas) {
    const result = new Float32Array(plan.outShape.reduce((p, d) => p * d, 1));
    const at = (t: TensorInfo) => ({ data: backend.readSync(t.dataId) as Float32Array, offset: 0 });
    runNativeBatchMatMul(blas, plan, at(a), at(b), { data: result, offset: 0 });
    return backend.makeTensorInfo(plan.outShape, "float32", result);
  }
  const threaded = context.poolFor(plan);
  if (threaded) {
    const aValues = backend.readSync(a.dataId) as Float32Array;
    const bValues = backend.readSync(b.dataId) as Float32Array;
    const outSize = plan.outShape.reduce((p, d) => p * d, 1);
    let result = new Float32Array(0);
    runGemmJob(threaded, plan, aValues.length, bValues.length, (buf) => {
      buf.heap.set(aValues, buf.a);
      buf.heap.set(bValues, buf.b);
    }, (buf) => {
      result = buf.heap.slice(buf.out, buf.out + outSize);
    });
    return backend.makeTensorInfo(plan.outShape, "float32", result);
  }
  const { memory, gemm } = context.cpuMemory();
  const aValues = backend.readSync(a.dataId) as Float32Array;
  const bValues = backend.readSync(b.dataId) as Float32Array;
  const outSize = plan.outShape.reduce((p, d) => p * d, 1);
  const align = (bytes: number) => Math.ceil(bytes / 16) * 16;
  const aOff = 0;
  const bOff = align(aOff + aValues.length * 4);
  const outOff = align(bOff + bValues.length * 4);
  const scratch = align(outOff + outSize * 4);
  const needed = scratch + batchMatMulScratchBytes(gemm, plan);
  if (needed > memory.buffer.byteLength) {
    memory.grow(Math.ceil((needed - memory.buffer.byteLength) / 65536));
  }
  const heap = new Float32Array(memory.buffer);
  heap.set(aValues, aOff / 4);
  heap.set(bValues, bOff / 4);
  runBatchMatMul(gemm, plan, aOff, bOff, outOff, scratch);
  const result = heap.slice(outOff / 4, outOff / 4 + outSize);
  return backend.makeTensorInfo(plan.outShape, "float32", result);
}

function isFloat(...ts: (TensorInfo | undefined)[]): boolean {
  return ts.every((t) => t === undefined || t.dtype === "float32");
}

/**
 * Builds the `BatchMatMul` kernel function of a backend, running on
 * `context`; inputs it does not handle (non-float32) go to `fallback`, the
 * backend's original kernel.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * const original = tf.getKernel("BatchMatMul", "wasm")!;
 * const fast = fastBatchMatMul("wasm", original.kernelFunc, new MatMulContext());
 * ```
 */
export function fastBatchMatMul(backendName: "wasm" | "cpu", fallback: KernelFunc, context: MatMulContext): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    if (!isFloat(a, b)) return fallback(args);
    const attrs = args.attrs as unknown as MatMulAttrs;
    return backendName === "wasm"
      ? wasmMatMul(context, args.backend as unknown as WasmBackendLike, a, b, attrs)
      : cpuMatMul(context, args.backend as unknown as CpuBackendLike, a, b, attrs);
  };
}

const ACTIVATION_KERNELS: Record<string, string> = {
  relu: "Relu",
  relu6: "Relu6",
  elu: "Elu",
  sigmoid: "Sigmoid",
  leakyrelu: "LeakyRelu",
  prelu: "Prelu",
};

function runKernel(
  kernelName: string,
  backendName: string,
  backend: unknown,
  inputs: Record<string, TensorInfo>,
  attrs: Record<string, unknown> = {},
): TensorInfo {
  const kernel = tf.getKernel(kernelName, backendName);
  if (!kernel) throw new Error(`no ${kernelName} kernel on ${backendName}`);
  return kernel.kernelFunc({ inputs, backend: backend as object, attrs: attrs as tf.NamedAttrMap }) as TensorInfo;
}

/**
 * Builds `_FusedMatMul` (matmul, then bias, then activation) from the fast
 * matmul and the backend's own `Add` and activation kernels.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * const original = tf.getKernel("_FusedMatMul", "cpu")!;
 * const fused = fastFusedMatMul("cpu", original.kernelFunc, new MatMulContext());
 * ```
 */
export function fastFusedMatMul(backendName: "wasm" | "cpu", fallback: KernelFunc, context: MatMulContext): KernelFunc {
  const matMul = fastBatchMatMul(backendName, fallback, context);
  return (args) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
    const attrs = args.attrs as unknown as FusedAttrs;
    const activation = attrs.activation ?? "linear";
    if (!isFloat(a, b, bias) || (activation !== "linear" && !(activation in ACTIVATION_KERNELS))) {
      return fallback(args);
    }
    const backend = args.backend as unknown as CpuBackendLike;
    let current = matMul({
      inputs: { a: a!, b: b! },
      backend: args.backend,
      attrs: { transposeA: attrs.transposeA, transposeB: attrs.transposeB },
    }) as TensorInfo;
    if (bias) {
      const next = runKernel("Add", backendName, args.backend, { a: current, b: bias });
      backend.disposeData(current.dataId);
      current = next;
    }
    if (activation !== "linear") {
      const kernelName = ACTIVATION_KERNELS[activation];
      const next = kernelName === "Prelu"
        ? runKernel(kernelName, backendName, args.backend, { x: current, alpha: preluActivationWeights! })
        : runKernel(kernelName, backendName, args.backend, { x: current }, { alpha: attrs.leakyreluAlpha ?? 0.2 });
      backend.disposeData(current.dataId);
      current = next;
    }
    return current;
  };
}
