/**
 * Markdown for whether the zero-shot tasks can tell models apart at this
 * size: per task, its chance level, its items and each activation's accuracy
 * with its 95% interval, and whether it is above chance.
 * @module
 */
import { displayName } from "../published/mod.ts";
import type { ReportData } from "./data.ts";
import { code, num, table } from "./_format.ts";

/**
 * The downstream tasks against chance; empty when the runs have no task.
 *
 * @example
 * ```ts
 * import type { ReportData } from "./data.ts";
 * declare const data: ReportData;
 * taskChanceLines(data); // ["### Downstream tasks at this size", "", ...]
 * ```
 */
export function taskChanceLines(data: ReportData): string[] {
  if (data.chances.length === 0) return [];
  const activations = data.activations.filter((a) =>
    data.chances.some((t) => t.scores.some((s) => s.activation === a))
  );
  const rows = data.chances.map((t) => [
    code(t.task),
    t.chance === null ? "not stated" : num(t.chance, 3),
    t.items,
    ...activations.map((a) => {
      const s = t.scores.find((x) => x.activation === a);
      if (!s) return "n/a";
      const mark = s.aboveChance === true ? " above" : s.aboveChance === false ? " at chance" : "";
      return `${num(s.acc, 3)} [${num(s.lo, 3)}, ${num(s.hi, 3)}]${mark}`;
    }),
    t.aboveChance === null ? "unknown (no chance level)" : t.aboveChance ? "yes" : "no: at chance at this size",
  ]);
  const untestable = data.chances.every((t) => t.aboveChance === false);
  return [
    "### Downstream tasks at this size",
    "",
    "Can the tasks tell models apart here? Each activation's accuracy pooled over its runs' items, with the 95% " +
    "Wilson interval, against the task's chance level (a uniform guess). A task is above chance when some " +
    "activation's interval lies wholly above it." +
    (untestable ? " No task is: every downstream comparison is untestable at this size." : ""),
    "",
    table(["task", "chance", "items", ...activations.map(displayName), "above chance"], rows),
    "",
  ];
}
