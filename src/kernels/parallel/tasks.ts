/**
 * Every heap task, by name: the union of the op folders' `TASKS` records
 * (each op's `tasks.ts`). A task is added in its op's `tasks.ts` alone; a new
 * op folder with tasks adds its record here.
 *
 * Imported by the workers too: nothing here may load tfjs.
 * @module
 */
import type { HeapTask } from "./task.ts";
import { SWIGLU_TASKS } from "../swiglu/tasks.ts";
import { ROPE_TASKS } from "../rope/tasks.ts";
import { ADAMW_TASKS } from "../adamw/tasks.ts";
import { ATTENTION_TASKS } from "../attention/tasks.ts";
import { MATMUL_TASKS } from "../matmul/tasks.ts";
import { RMS_NORM_TASKS } from "../rms_norm/tasks.ts";
import { POLYCOM_TASKS } from "../polycom/tasks.ts";
import { CROSS_ENTROPY_TASKS } from "../cross_entropy/tasks.ts";
import { CLIP_TASKS } from "../clip/tasks.ts";

export type { HeapTask } from "./task.ts";

const TASKS = {
  ...SWIGLU_TASKS,
  ...ROPE_TASKS,
  ...ADAMW_TASKS,
  ...ATTENTION_TASKS,
  ...MATMUL_TASKS,
  ...RMS_NORM_TASKS,
  ...POLYCOM_TASKS,
  ...CROSS_ENTROPY_TASKS,
  ...CLIP_TASKS,
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
