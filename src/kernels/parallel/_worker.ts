/**
 * A heap thread: maps the wasm memory whose address each job names, then
 * runs its part of the job's task. Started by {@linkcode HeapThreads}; not
 * for direct use.
 * @module
 */
import { parentPort } from "node:worker_threads";
import { serveJobs } from "../_workers.ts";
import { ARG, controlViews, SLOT } from "./_control.ts";
import { HEAP_TASK_NAMES, HEAP_TASKS } from "./tasks.ts";

interface InitMessage {
  buffer: SharedArrayBuffer;
  index: number;
}

parentPort!.once("message", ({ buffer, index }: InitMessage) => {
  const control = controlViews(buffer);
  const { slots, args } = control;
  const results = control.results[index];
  let heap = new Float32Array(0), address = -1;
  serveJobs(slots, SLOT, index, "heap worker", () => parentPort!.postMessage({}), () => {
    const at = args[ARG.heapAddress], bytes = args[ARG.heapBytes];
    if (at !== address || bytes !== heap.byteLength) {
      const pointer = Deno.UnsafePointer.create(BigInt(at));
      if (pointer === null) throw new Error("null heap address");
      heap = new Float32Array(Deno.UnsafePointerView.getArrayBuffer(pointer, bytes));
      address = at;
    }
    const task = HEAP_TASKS[HEAP_TASK_NAMES[args[ARG.task]]];
    if (!task) throw new Error(`unknown heap task ${args[ARG.task]}`);
    task(heap, args.subarray(ARG.taskArgs, ARG.taskArgs + args[ARG.argCount]), index, args[ARG.parts], results);
  });
});
