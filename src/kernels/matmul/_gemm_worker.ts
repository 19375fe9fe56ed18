/**
 * A GEMM thread: instantiates the kernels over the pool's shared memory, then
 * runs its part of each job the main thread posts in the control block.
 * Started by {@linkcode GemmPool}; not for direct use.
 * @module
 */
import { parentPort } from "node:worker_threads";
import { serveJobs } from "../_workers.ts";
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
  const ready = () => {
    Atomics.store(ctl, SLOT.ready + index, 1);
    Atomics.notify(ctl, SLOT.ready + index);
    parentPort!.postMessage("ready");
  };
  serveJobs(ctl, SLOT, index, "GEMM worker", ready, () => {
    // The memory may have grown since the last job: views are taken afresh.
    const { plan, layout, parts } = readJob(ctl, new Int32Array(memory.buffer));
    const scratch = layout.scratchBase + index * layout.scratchStride;
    runBatchMatMulPart(gemm, plan, layout.a, layout.b, layout.out, scratch, index, parts);
  });
});
