/**
 * A pool worker: runs its part of each job posted in the control block, over
 * the pool's own shared memory or the memory whose address the job names.
 * Started by {@linkcode WorkerPool}; not for direct use.
 * @module
 */
import { parentPort } from "node:worker_threads";
import { serveJobs } from "../_workers.ts";
import { ARG, controlViews, OWN_MEMORY, SLOT } from "./_control.ts";
import { HEAP_TASK_NAMES, HEAP_TASKS } from "./tasks.ts";

interface InitMessage {
  buffer: SharedArrayBuffer;
  memory: WebAssembly.Memory;
  index: number;
}

parentPort!.once("message", ({ buffer, memory, index }: InitMessage) => {
  const control = controlViews(buffer);
  const { slots, args } = control;
  const results = control.results[index];
  let mapped = new Float32Array(0), address = -2;
  let own = new Float32Array(memory.buffer);
  /** This thread's view of the job's heap: taken afresh when it moved or grew. */
  const heapOf = (at: number, bytes: number): Float32Array => {
    if (at === OWN_MEMORY) {
      if (own.byteLength !== bytes) own = new Float32Array(memory.buffer);
      return own;
    }
    if (at !== address || bytes !== mapped.byteLength) {
      const pointer = Deno.UnsafePointer.create(BigInt(at));
      if (pointer === null) throw new Error("null heap address");
      mapped = new Float32Array(Deno.UnsafePointerView.getArrayBuffer(pointer, bytes));
      address = at;
    }
    return mapped;
  };
  serveJobs(slots, SLOT, index, "pool worker", () => parentPort!.postMessage({}), () => {
    const at = args[ARG.heapAddress];
    const heap = heapOf(at, args[ARG.heapBytes]);
    const task = HEAP_TASKS[HEAP_TASK_NAMES[args[ARG.task]]];
    if (!task) throw new Error(`unknown heap task ${args[ARG.task]}`);
    const taskArgs = args.subarray(ARG.taskArgs, ARG.taskArgs + args[ARG.argCount]);
    task(heap, taskArgs, index, args[ARG.parts], results, at === OWN_MEMORY ? memory : undefined);
  });
});
