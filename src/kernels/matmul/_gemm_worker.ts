/**
 * A GEMM thread: instantiates the kernels over the pool's shared memory, then
 * runs its part of each job the main thread posts in the control block.
 * Started by {@linkcode GemmPool}; not for direct use.
 * @module
 */
import { parentPort } from "node:worker_threads";
import { runBatchMatMulPart } from "./_batch_matmul.ts";
import type { GemmShape } from "./_gemm_module.ts";
import { readJob, SLOT } from "./_gemm_job.ts";
import { WasmGemm } from "./gemm.ts";

interface InitMessage {
  memory: WebAssembly.Memory;
  shape: GemmShape;
  index: number;
}

parentPort!.once("message", (message: InitMessage) => {
  const { memory, shape, index } = message;
  const gemm = new WasmGemm(memory, shape);
  const ctl = new Int32Array(memory.buffer, 0, 128);
  // Read before announcing readiness: the first job may be posted the moment the main thread hears of it.
  let seen = Atomics.load(ctl, SLOT.seq);
  Atomics.store(ctl, SLOT.ready + index, 1);
  Atomics.notify(ctl, SLOT.ready + index);
  parentPort!.postMessage("ready");
  while (true) {
    Atomics.wait(ctl, SLOT.seq, seen);
    const seq = Atomics.load(ctl, SLOT.seq);
    if (seq < 0) break;
    if (seq === seen) continue;
    seen = seq;
    try {
      // The memory may have grown since the last job: views are taken afresh.
      const { plan, layout, parts } = readJob(ctl, new Int32Array(memory.buffer));
      const scratch = layout.scratchBase + index * layout.scratchStride;
      runBatchMatMulPart(gemm, plan, layout.a, layout.b, layout.out, scratch, index, parts);
      Atomics.store(ctl, SLOT.failed + index, 0);
    } catch (error) {
      Atomics.store(ctl, SLOT.failed + index, 1);
      console.error(`GEMM worker ${index}:`, error);
    }
    Atomics.store(ctl, SLOT.done + index, seq);
    Atomics.notify(ctl, SLOT.done + index);
  }
});
