/**
 * The tasks the heap threads can run: one entry per task, each a function of
 * the heap (a float32 view of the wasm backend's memory), the task's float64
 * arguments (element offsets into the heap, sizes, constants) and which part
 * of the work to do. Parts split the work into disjoint pieces, so a task's
 * output does not depend on how many threads ran it (tasks that reduce write
 * per-part partial sums into their result slots instead).
 *
 * Imported by the workers too: nothing here may load tfjs.
 * @module
 */
import { adamwTask } from "../adamw/math.ts";
import { softmaxBackwardTask, softmaxCausalTask } from "../attention/math.ts";
import { attentionBackwardTask, attentionForwardTask } from "../attention/_tasks.ts";
import { clipScaleTask, clipSumSquaresTask } from "../clip/math.ts";
import { crossEntropyBackwardTask, crossEntropyForwardTask } from "../cross_entropy/math.ts";
import { ropeHeadsTask } from "../rope/math.ts";
import { sgemmPairsTask, sgemmSplitTask } from "../matmul/_native_matmul.ts";
import {
  polyNormBackwardTask,
  polyNormForwardTask,
  polyReLUBackwardTask,
  polyReLUForwardTask,
} from "../polycom/_tasks.ts";
import { rmsNormBackwardTask, rmsNormForwardTask } from "../rms_norm/math.ts";
import { swigluBackwardTask, swigluForwardTask } from "../swiglu/math.ts";

/**
 * One task: does part `part` of `parts` over `heap`, reading its arguments
 * from `args` and writing any partial results into `results`.
 */
export type HeapTask = (
  heap: Float32Array,
  args: Float64Array,
  part: number,
  parts: number,
  results: Float64Array,
) => void;

const TASKS = {
  swigluForward: swigluForwardTask,
  swigluBackward: swigluBackwardTask,
  ropeHeads: ropeHeadsTask,
  adamw: adamwTask,
  softmaxCausal: softmaxCausalTask,
  softmaxBackward: softmaxBackwardTask,
  attentionForward: attentionForwardTask,
  attentionBackward: attentionBackwardTask,
  sgemmPairs: sgemmPairsTask,
  sgemmSplit: sgemmSplitTask,
  rmsNormForward: rmsNormForwardTask,
  rmsNormBackward: rmsNormBackwardTask,
  polyNormForward: polyNormForwardTask,
  polyNormBackward: polyNormBackwardTask,
  polyReLUForward: polyReLUForwardTask,
  polyReLUBackward: polyReLUBackwardTask,
  crossEntropyForward: crossEntropyForwardTask,
  crossEntropyBackward: crossEntropyBackwardTask,
  clipSumSquares: clipSumSquaresTask,
  clipScale: clipScaleTask,
} satisfies Record<string, HeapTask>;

/** A task's name. */
export type HeapTaskName = keyof typeof TASKS;

/** The tasks by name. */
export const HEAP_TASKS: Record<HeapTaskName, HeapTask> = TASKS;

/** The task names in a fixed order: a job names its task by index. */
export const HEAP_TASK_NAMES = Object.keys(TASKS) as HeapTaskName[];

/** A task's index in {@linkcode HEAP_TASK_NAMES}, the number a job carries. */
export const HEAP_TASK_INDEX = Object.fromEntries(HEAP_TASK_NAMES.map((name, i) => [name, i])) as Record<
  HeapTaskName,
  number
>;
