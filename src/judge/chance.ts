/**
 * Whether the zero-shot tasks can tell models apart at this size: per task,
 * each activation's accuracy over its finished runs with a 95% interval,
 * against the chance level the runner wrote into eval.jsonl. A task no
 * activation scores above chance measures nothing at this size, so a
 * downstream claim made on such tasks is untestable here, not inconclusive.
 * @module
 */
import { finalEval, type LoadedRun } from "../results/mod.ts";

/** One activation's accuracy on one task, pooled over its finished runs. */
export interface TaskScore {
  activation: string;
  runs: number;
  /** Items answered correctly, summed over runs. */
  correct: number;
  /** Items scored, summed over runs. */
  items: number;
  acc: number;
  /** 95% Wilson interval of the accuracy. */
  lo: number;
  hi: number;
  /** Whether the interval lies wholly above chance; null without a stated chance level. */
  aboveChance: boolean | null;
}

/** One task at one rung. */
export interface TaskChance {
  task: string;
  /** The chance level the result files state (e.g. 0.25 for a four-way choice); null when they state none. */
  chance: number | null;
  /** Items in the task's set (per run). */
  items: number;
  scores: TaskScore[];
  /** True when some activation scores above chance; null without a chance level. */
  aboveChance: boolean | null;
}

/**
 * The 95% Wilson score interval of a proportion.
 *
 * @example
 * ```ts
 * wilsonInterval(250, 1000); // { lo: 0.2241, hi: 0.2777 }: ±3 points at 1,000 items
 * ```
 */
export function wilsonInterval(successes: number, trials: number, z = 1.959963984540054): { lo: number; hi: number } {
  if (!(trials > 0)) return { lo: NaN, hi: NaN };
  const p = successes / trials;
  const denominator = 1 + (z * z) / trials;
  const centre = p + (z * z) / (2 * trials);
  const half = z * Math.sqrt((p * (1 - p)) / trials + (z * z) / (4 * trials * trials));
  return { lo: (centre - half) / denominator, hi: (centre + half) / denominator };
}

/**
 * Every task of the runs' final evaluations, with each activation's pooled accuracy and whether it is above chance.
 * Pooling the runs' items treats each (run, item) as one trial: the interval is the item-sampling interval of the
 * activation's accuracy on this item set.
 *
 * @example
 * ```ts
 * import type { RunSelection } from "./select.ts";
 * declare const selection: RunSelection;
 * taskChances(selection.usable).map((t) => `${t.task}: ${t.aboveChance ? "above" : "at"} chance`);
 * ```
 */
export function taskChances(runs: readonly LoadedRun[]): TaskChance[] {
  const finals = runs.flatMap((run) => {
    const row = finalEval(run.evals);
    return row ? [{ activation: run.record.activation, tasks: row.tasks }] : [];
  });
  const tasks = [...new Set(finals.flatMap((f) => Object.keys(f.tasks)))].sort();
  return tasks.map((task) => {
    const rows = finals.flatMap((f) => (f.tasks[task] ? [{ activation: f.activation, ...f.tasks[task] }] : []));
    const stated = [...new Set(rows.map((r) => r.chance).filter((c): c is number => typeof c === "number"))];
    // Runs that disagree on the chance level scored different tasks under one name: state none.
    const chance = stated.length === 1 && rows.every((r) => r.chance === stated[0]) ? stated[0] : null;
    const activations = [...new Set(rows.map((r) => r.activation))];
    const scores = activations.map((activation): TaskScore => {
      const mine = rows.filter((r) => r.activation === activation);
      const correct = mine.reduce((a, r) => a + Math.round(r.acc * r.n), 0);
      const items = mine.reduce((a, r) => a + r.n, 0);
      const { lo, hi } = wilsonInterval(correct, items);
      return {
        activation,
        runs: mine.length,
        correct,
        items,
        acc: items > 0 ? correct / items : NaN,
        lo,
        hi,
        aboveChance: chance === null ? null : lo > chance,
      };
    });
    return {
      task,
      chance,
      items: Math.max(0, ...rows.map((r) => r.n)),
      scores,
      aboveChance: chance === null ? null : scores.some((s) => s.aboveChance === true),
    };
  });
}

/**
 * Whether downstream accuracy is untestable at this size: the runs have tasks, every one states its chance level,
 * and no activation scores above chance on any of them.
 *
 * @example
 * ```ts
 * import type { RunSelection } from "./select.ts";
 * declare const selection: RunSelection;
 * downstreamUntestable(taskChances(selection.usable)); // true when every task sits at chance
 * ```
 */
export function downstreamUntestable(chances: readonly TaskChance[]): boolean {
  return chances.length > 0 && chances.every((t) => t.aboveChance === false);
}
