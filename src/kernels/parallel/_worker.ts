/**
 * A heap thread: maps the wasm memory whose address each job names, then
 * runs its part of the job's task. Started by {@linkcode HeapThreads}; not
 * for direct use.
 * @module
 */
import { parentPort } from "node:worker_threads";
import { ARG, controlViews, SLOT } from "./_control.ts";
import { HEAP_TASK_NAMES, HEAP_TASKS } from "./tasks.ts";

interface InitMessage {
  buffer: SharedArrayBuffer;
  index: number;
}

parentPort!.once("message", ({ buffer, index }: InitMessage) => {
  const control = controlViews(buffer);
  const { slots, args } = control;
  const results = control.results(index);
  let heap = new Float32Array(0), address = -1;
  // Read before announcing readiness: the first job may be posted the moment the main thread hears of it.
  let seen = Atomics.load(slots, SLOT.seq);
  parentPort!.postMessage({});
  while (true) {
    Atomics.wait(slots, SLOT.seq, seen);
    const seq = Atomics.load(slots, SLOT.seq);
    if (seq < 0) break;
    if (seq === seen) continue;
    seen = seq;
    try {
      const at = args[ARG.heapAddress], bytes = args[ARG.heapBytes];
      if (at !== address || bytes !== heap.byteLength) {
        const pointer = Deno.UnsafePointer.create(BigInt(at));
        if (pointer === null) throw new Error("null heap address");
        heap = new Float32Array(Deno.UnsafePointerView.getArrayBuffer(pointer, bytes));
        address = at;
      }
      const name = HEAP_TASK_NAMES[args[ARG.task]];
      const task = HEAP_TASKS[name];
      if (!task) throw new Error(`unknown heap task ${args[ARG.task]}`);
      task(heap, args.subarray(ARG.taskArgs, ARG.taskArgs + args[ARG.argCount]), index, args[ARG.parts], results);
      Atomics.store(slots, SLOT.failed + index, 0);
    } catch (error) {
      Atomics.store(slots, SLOT.failed + index, 1);
      console.error(`heap worker ${index}:`, error);
    }
    Atomics.store(slots, SLOT.done + index, seq);
    Atomics.notify(slots, SLOT.done + index);
  }
});
