/**
 * The claims registry: each claim of the paper that the suites test, with its
 * published numbers and how it is tested at small scale. Every paper number is
 * read from the paper data through a JSON pointer (only the precision it is
 * quoted at is written here), and the claims' prose renders those numbers, so
 * no paper number is typed in this file; method constants (the final-loss
 * window) render from the code's constants. This file is data; the rules that
 * judge it are in verdict.ts.
 * @module
 */
import { ACTIVATIONS } from "../activations/table.ts";
import {
  type ExperimentId,
  type ProvenanceTag,
  type PublishedDocument,
  publishedDocument,
  resolvePointer,
} from "../published/mod.ts";
import { FINAL_LOSS_WINDOW } from "../results/summary.ts";
import { POWER_LEVEL } from "./power.ts";
import type { Direction, Measure } from "./measures.ts";

/** Where a published value comes from inside the paper data. */
export type PublishedRef =
  | { doc: PublishedDocument; pointer: string }
  /** The difference of two numbers, e.g. a gap to SwiGLU read off two curves. */
  | { doc: PublishedDocument; minus: [string, string] };

/** One number (or statement) the paper publishes, as the report quotes it. */
export interface PublishedValue {
  /** What the number is, e.g. "PolyNorm − SwiGLU, training loss at 250B tokens". */
  label: string;
  /** The value as quoted; strings for non-numeric statements ("never within 255B"). */
  value: number | string;
  tag: ProvenanceTag;
  ref?: PublishedRef;
  /** The activation this value is about, when it is about one. */
  activation?: string;
}

export type { Direction, Measure } from "./measures.ts";

/** One paired comparison a claim makes. */
export interface ComparisonSpec {
  activation: string;
  versus: string;
  expected: Direction;
  /** The paper's value of the compared quantity (gap, speed-up), when it has one. */
  paper?: PublishedValue;
}

/** A claim of the paper and how it is tested. */
export interface ClaimSpec {
  /** Stable id; verdict keys are `<id>` and `<id>/<item>`. */
  id: string;
  experiment: ExperimentId;
  /** Short title for tables. */
  title: string;
  /** The claim as the paper makes it. */
  text: string;
  measure: Measure;
  /**
   * The comparisons that make up the claim. A ranking (best first) is tested as
   * the comparisons of neighbours among the activations a suite has.
   */
  test: { comparisons: ComparisonSpec[] } | { ranking: string[] };
  /** The paper's numbers behind the claim. */
  published: PublishedValue[];
  /** How the claim is tested at small scale, in words for the report. */
  howTested: string;
  /**
   * False when the paper's numbers are in units ours are not (the dense "PPL", accuracy points on other tasks):
   * then no seed count is derived from the paper's effect size.
   */
  sizesComparable?: false;
}

const D = "/results/figure_derived/dense_1B";
const M = "/results/figure_derived/moe_1B_active_7B_total";
const P: PublishedDocument = "published.json";

/**
 * Rounds half away from zero at `decimals` places of the number's shortest decimal form, as the paper's prose rounds
 * (1.395 → 1.40, where binary `toFixed` would give 1.39).
 *
 * @example
 * ```ts
 * roundQuoted(1.395, 2); // 1.4
 * roundQuoted(-0.0177, 3); // -0.018
 * ```
 */
export function roundQuoted(value: number, decimals: number): number {
  const magnitude = Number(`${Math.round(Number(`${Math.abs(value)}e${decimals}`))}e-${decimals}`);
  return value < 0 ? -magnitude : magnitude;
}

/**
 * The number a reference names in the paper data (a pointer, or the difference of two).
 *
 * @example
 * ```ts
 * publishedNumber({ doc: "published.json", pointer: "/results/quoted_numbers/0/value/avg_accuracy_margin_points" }); // 1.21
 * ```
 */
export function publishedNumber(ref: PublishedRef): number {
  const doc = publishedDocument(ref.doc);
  const read = (pointer: string) => {
    const v = resolvePointer(doc, pointer);
    if (typeof v !== "number") throw new Error(`paper data ${ref.doc}${pointer} is ${JSON.stringify(v)}, not a number`);
    return v;
  };
  return "pointer" in ref ? read(ref.pointer) : read(ref.minus[0]) - read(ref.minus[1]);
}

/** A published number as quoted: read from the data, rounded to the precision the report quotes it at. */
function quoted(ref: PublishedRef, decimals: number): number {
  return roundQuoted(publishedNumber(ref), decimals);
}

/** A published value read from the data. */
function value(
  label: string,
  tag: ProvenanceTag,
  ref: PublishedRef,
  decimals: number,
  activation?: string,
): PublishedValue {
  return { label, value: quoted(ref, decimals), tag, ref, ...(activation ? { activation } : {}) };
}

/** A statement (not a number) the data holds verbatim, e.g. "11/11". */
function statement(label: string, tag: ProvenanceTag, pointer: string, activation?: string): PublishedValue {
  const v = resolvePointer(publishedDocument(P), pointer);
  if (typeof v !== "string") throw new Error(`paper data ${P}${pointer} is not a statement`);
  return { label, value: v, tag, ref: { doc: P, pointer }, ...(activation ? { activation } : {}) };
}

/** A number for prose, fixed to `decimals` places. */
const fixed = (v: number | string, decimals: number) => roundQuoted(Number(v), decimals).toFixed(decimals);
/** A signed number for prose, with a typographic minus: "−0.019", "+0.018". */
const signedText = (v: number | string, decimals: number) =>
  `${Number(v) < 0 ? "−" : "+"}${fixed(Math.abs(Number(v)), decimals)}`;
/** A percentage for prose: 1 → "100%". */
const percent = (v: number | string) => `${Math.round(Number(v) * 100)}%`;

const name = (activation: string) => ACTIVATIONS[activation as keyof typeof ACTIVATIONS].displayName;

function denseValue(activation: string, panel: string, decimals: number, what: string): PublishedValue {
  return value(
    `${name(activation)}, ${what} at 250B tokens`,
    "fig",
    { doc: P, pointer: `${D}/${panel}/${name(activation)}/250` },
    decimals,
    activation,
  );
}

function denseGap(activation: string, panel: string, decimals: number, what: string): PublishedValue {
  return value(
    `${name(activation)} − SwiGLU, ${what} at 250B tokens`,
    "der",
    { doc: P, minus: [`${D}/${panel}/${name(activation)}/250`, `${D}/${panel}/SwiGLU/250`] },
    decimals,
    activation,
  );
}

/** The paper's speed-up for an activation that never reaches SwiGLU's 250B value. */
const NEVER_WITHIN_RUN = "never (within 255B)";

function denseSpeedup(activation: string, panel: string, decimals: number): PublishedValue {
  const ref: PublishedRef = { doc: P, pointer: `${D}/${panel}/${name(activation)}/speedup_vs_SwiGLU_at_250B` };
  const label = `${name(activation)}: SwiGLU's 250B tokens ÷ tokens ${
    name(activation)
  } needs to reach SwiGLU's 250B value`;
  // The data holds null where the activation never gets there within the run.
  if (resolvePointer(publishedDocument(P), ref.pointer) === null) {
    return { label, value: NEVER_WITHIN_RUN, tag: "der", ref, activation };
  }
  return value(label, "der", ref, decimals, activation);
}

/** The dense activations in the paper's order, best first (its rankings by training and validation loss). */
const DENSE_ORDER = ["polynorm", "polyrelu", "swiglu", "gelu", "relu"] as const;
type DenseActivation = typeof DENSE_ORDER[number];
type DenseChallenger = Exclude<DenseActivation, "swiglu">;

/** The five dense activations' values on one panel at 250B tokens, in the paper's order. */
function denseValues(panel: string, what: string, decimals: number): PublishedValue[] {
  return DENSE_ORDER.map((activation) => denseValue(activation, panel, decimals, what));
}

/** The paper's fraction of plotted positions of one curve file at which the full dense order holds. */
function denseOrderFraction(curves: string, label: string): PublishedValue {
  const order = DENSE_ORDER.map(name).join("<");
  return value(label, "der", {
    doc: P,
    pointer: `${D}/dominance_over_training/${curves}/fraction_with_order_${order}`,
  }, 3);
}

/**
 * The dense comparisons with SwiGLU: PolyNorm and PolyReLU are expected on the `poly` side, GELU and ReLU on the
 * other (the paper's order puts SwiGLU between them). `paper` gives each comparison's published value, if any.
 */
function denseVersusSwiglu(poly: Direction, paper?: (activation: DenseChallenger) => PublishedValue): ComparisonSpec[] {
  const other: Direction = poly === "lower" ? "higher" : "lower";
  return (["polynorm", "polyrelu", "gelu", "relu"] as const).map((activation) => ({
    activation,
    versus: "swiglu",
    expected: activation.startsWith("poly") ? poly : other,
    ...(paper ? { paper: paper(activation) } : {}),
  }));
}

/** The published value of the comparison of `activation` in a list of comparisons. */
function paperOf(comparisons: ComparisonSpec[], activation: string): number | string {
  const v = comparisons.find((c) => c.activation === activation)?.paper?.value;
  if (v === undefined) throw new Error(`no published value for ${activation}`);
  return v;
}

/** The window of the final training loss and of the curve smoothing, as the report states it. */
const WINDOW = `${Math.round(FINAL_LOSS_WINDOW * 100)}%`;
const TRAIN_LOSS_DEF = `final training loss = mean cross-entropy over the last ${WINDOW} of logged steps`;
const VAL_LOSS_DEF = "final validation loss = the last evaluation's loss, averaged over the validation sources";

// The numbers several claims quote, read once.
const DENSE_TRAIN_LOSS = denseValues("train_loss_at_tokens_B", "training loss", 4);
const DENSE_VAL_PPL = denseValues("val_ppl_at_tokens_B", "validation PPL", 4);
const TRAIN_GAPS = denseVersusSwiglu("lower", (a) => denseGap(a, "train_loss_at_tokens_B", 3, "training loss"));
const VAL_GAPS = denseVersusSwiglu("lower", (a) => denseGap(a, "val_ppl_at_tokens_B", 4, "validation PPL"));
const TRAIN_SPEEDUPS = denseVersusSwiglu("higher", (a) => denseSpeedup(a, "tokens_to_reach_SwiGLU_250B_train_loss", 3));
const VAL_SPEEDUPS = denseVersusSwiglu("higher", (a) => denseSpeedup(a, "tokens_to_reach_SwiGLU_250B_val_ppl", 3));
const TRAIN_ORDER_FRACTION = denseOrderFraction(
  "curves_dense_train_loss.csv",
  "fraction of plotted positions (26–254B) with order PolyNorm<PolyReLU<SwiGLU<GELU<ReLU",
);
const VAL_ORDER_FRACTION = denseOrderFraction(
  "curves_dense_val_ppl.csv",
  "fraction of plotted positions with the full order",
);
const DENSE_DOWNSTREAM_MARGIN = value(
  "PolyNorm − SwiGLU, average of six tasks (points)",
  "sec",
  { doc: P, pointer: "/results/quoted_numbers/0/value/avg_accuracy_margin_points" },
  2,
  "polynorm",
);

const moeLast = (panel: string, activation: string) => `${M}/${panel}/${activation}/y`;
const MOE_TRAIN_LOSS = (["PolyNorm", "SwiGLU"] as const).map((n) =>
  value(
    `${n}, training loss at 202B tokens`,
    "fig",
    { doc: P, pointer: moeLast("train_loss_last_point", n) },
    4,
    n.toLowerCase(),
  )
);
const MOE_TRAIN_GAP = value(
  "PolyNorm − SwiGLU, training loss at the last point (202B tokens)",
  "der",
  { doc: P, minus: [moeLast("train_loss_last_point", "PolyNorm"), moeLast("train_loss_last_point", "SwiGLU")] },
  4,
  "polynorm",
);
const moeValGap = (key: string, label: string, decimals: number) =>
  value(
    `PolyNorm − SwiGLU, ${label} validation loss at the last evaluation (201B)`,
    "der",
    {
      doc: P,
      minus: [moeLast(`val_loss_${key}_last_eval`, "PolyNorm"), moeLast(`val_loss_${key}_last_eval`, "SwiGLU")],
    },
    decimals,
    "polynorm",
  );
const MOE_VAL_GAPS = [moeValGap("c4", "C4", 3), moeValGap("wikipedia", "Wikipedia", 4)];
const MOE_SETS_BETTER = statement(
  "validation sets on which PolyNorm is lower (of 11)",
  "sec",
  "/results/quoted_numbers/3/value/datasets_better",
);
const MOE_AVERAGE_IMPROVEMENT = value(
  "average improvement over the 11 sets",
  "sec",
  { doc: P, pointer: "/results/quoted_numbers/3/value/average_improvement" },
  2,
);
const moeSpeedup = (panel: string, label: string) =>
  value(
    label,
    "der",
    { doc: P, pointer: `${M}/tokens_to_reach_SwiGLU_final/${panel}/PolyNorm/speedup_vs_SwiGLU_final` },
    3,
    "polynorm",
  );
const MOE_TRAIN_SPEEDUP = moeSpeedup(
  "train_loss",
  "PolyNorm: SwiGLU's final tokens ÷ tokens PolyNorm needs to reach SwiGLU's final training loss",
);
const MOE_C4_SPEEDUP = moeSpeedup("val_loss_c4", "PolyNorm speed-up to SwiGLU's final C4 validation loss");
const MOE_WIKI_SPEEDUP = moeSpeedup(
  "val_loss_wikipedia",
  "PolyNorm speed-up to SwiGLU's final Wikipedia validation loss",
);
const MOE_TASKS = [["hellaswag", "HellaSwag"], ["arc_challenge", "ARC-Challenge"], ["sciq", "SciQ"], [
  "mmlu_var",
  "MMLU-Var",
]] as const;
const moeTask = (key: string, activation: string) => `${M}/downstream_last_eval/${key}/${activation}/raw_acc_pct`;
/** The four plotted MoE tasks: PolyNorm's and SwiGLU's accuracy as the claim quotes them ("67.63 vs 66.62"). */
const MOE_TASK_TEXT = MOE_TASKS.map(([key, label]) => {
  const [a, b] = ["PolyNorm", "SwiGLU"].map((n) => publishedNumber({ doc: P, pointer: moeTask(key, n) }));
  const decimals = (v: number) => Math.min(2, (String(roundQuoted(v, 2)).split(".")[1] ?? "").length);
  const both = Math.max(decimals(a), decimals(b));
  return `${label} ${fixed(a, both)} vs ${fixed(b, both)}`;
}).join(", ");
const MOE_TASKS_BETTER = statement(
  "tasks on which PolyNorm is better (of 9)",
  "sec",
  "/results/quoted_numbers/4/value/tasks_better",
);
/** "37 of 37" evaluations at which PolyNorm is below SwiGLU, the same on both plotted validation sets. */
const MOE_EVALS_BETTER = (() => {
  const doc = publishedDocument("derived_from_curves.json");
  const of = (file: string) => {
    const node = `/dominance_over_training/${file}:bold`;
    return `${resolvePointer(doc, `${node}/evals_PolyNorm_better_than_SwiGLU`)} of ${
      resolvePointer(doc, `${node}/n_evals_index_aligned`)
    }`;
  };
  const [c4, wikipedia] = [of("curves_moe_val_loss_c4.csv"), of("curves_moe_val_loss_wikipedia.csv")];
  if (c4 !== wikipedia) {
    throw new Error(`MoE evaluations better differ between C4 (${c4}) and Wikipedia (${wikipedia})`);
  }
  return c4;
})();
/** "8/9" → "8 of 9". */
const ofText = (v: number | string) => String(v).replace("/", " of ");

/**
 * Every claim the report tests, in the order it reports them.
 *
 * @example
 * ```ts
 * CLAIMS.map((c) => c.id); // ["dense.train_loss_gap", ...]
 * ```
 */
export const CLAIMS: readonly ClaimSpec[] = [
  {
    id: "dense.train_loss_gap",
    experiment: "dense_1B",
    title: "Training-loss gap to SwiGLU",
    text:
      `At equal parameters, PolyNorm and PolyReLU end with lower training loss than SwiGLU, GELU and ReLU with higher (250B tokens: ${
        (["polynorm", "polyrelu", "gelu", "relu"] as const).map((a) =>
          `${name(a)} ${signedText(paperOf(TRAIN_GAPS, a), 3)}`
        )
          .join(", ")
      }).`,
    measure: "trainLoss",
    test: { comparisons: TRAIN_GAPS },
    published: [
      ...DENSE_TRAIN_LOSS,
      ...(["PolyNorm", "SwiGLU"] as const).map((n) =>
        value(
          `${n}, final training loss (secondary summary)`,
          "sec",
          { doc: P, pointer: `/results/quoted_numbers/1/value/${n}` },
          2,
          n.toLowerCase(),
        )
      ),
    ],
    howTested:
      `Paired by seed (same data order): d = activation − SwiGLU of the ${TRAIN_LOSS_DEF}. The direction is tested; the size is shown beside the paper's but not judged, since a small model need not have the same gap.`,
  },
  {
    id: "dense.train_loss_ranking",
    experiment: "dense_1B",
    title: "Ranking by training loss",
    text: `Final training loss ranks PolyNorm < PolyReLU < SwiGLU < GELU < ReLU (the full order holds at ${
      percent(TRAIN_ORDER_FRACTION.value)
    } of plotted positions from 26B to 254B tokens).`,
    measure: "trainLoss",
    test: { ranking: [...DENSE_ORDER] },
    published: [...DENSE_TRAIN_LOSS, TRAIN_ORDER_FRACTION],
    howTested:
      `Each neighbouring pair of the paper's order, among the activations a suite runs, is a paired comparison of the ${TRAIN_LOSS_DEF}; the ranking is reproduced when every pair is, contradicted when any pair is reversed.`,
  },
  {
    id: "dense.val_loss_ranking",
    experiment: "dense_1B",
    title: "Ranking by validation loss",
    text: `Validation PPL follows the same order at 250B tokens (${
      DENSE_VAL_PPL.map((v) => `${name(v.activation!)} ${fixed(v.value, 3)}`).join(" < ")
    }); PolyNorm is lowest at every plotted position.`,
    measure: "valLoss",
    test: { ranking: [...DENSE_ORDER] },
    published: [...DENSE_VAL_PPL, VAL_ORDER_FRACTION],
    sizesComparable: false,
    howTested: `As the training ranking, on the ${VAL_LOSS_DEF}. The paper's "PPL" (≈${
      fixed(DENSE_VAL_PPL.find((v) => v.activation === "swiglu")!.value, 1)
    }) cannot be exp(loss) and its validation set is undocumented, so only the order is compared.`,
  },
  {
    id: "dense.val_loss_gap",
    experiment: "dense_1B",
    title: "Validation gap to SwiGLU",
    text: "PolyNorm and PolyReLU reach lower validation PPL than SwiGLU, GELU and ReLU higher, at 250B tokens.",
    measure: "valLoss",
    test: { comparisons: VAL_GAPS },
    published: [],
    sizesComparable: false,
    howTested:
      `Paired by seed: d = activation − SwiGLU of the ${VAL_LOSS_DEF}. The paper's gaps are in its undocumented PPL units: compare signs, not sizes.`,
  },
  {
    id: "dense.train_speedup",
    experiment: "dense_1B",
    title: "Convergence speed-up (training loss)",
    text: `PolyNorm reaches SwiGLU's final training loss with ≈${
      fixed(paperOf(TRAIN_SPEEDUPS, "polynorm"), 2)
    }× fewer tokens, PolyReLU with ≈${
      fixed(paperOf(TRAIN_SPEEDUPS, "polyrelu"), 2)
    }× fewer; GELU and ReLU never reach it within the run.`,
    measure: "trainSpeedup",
    test: { comparisons: TRAIN_SPEEDUPS },
    published: (["polynorm", "polyrelu"] as const).map((a) =>
      value(
        `${name(a)}: tokens to reach SwiGLU's 250B training loss (billions)`,
        "der",
        { doc: P, pointer: `${D}/tokens_to_reach_SwiGLU_250B_train_loss/${name(a)}/tokens_B` },
        2,
        a,
      )
    ),
    howTested:
      `Per seed, on training-loss curves smoothed by a trailing mean over ${WINDOW} of the logged steps: the tokens the activation needs to reach SwiGLU's final smoothed loss (linear interpolation), speed-up = SwiGLU's tokens ÷ those tokens. When it never gets there, the speed-up is SwiGLU's tokens to reach the activation's final loss ÷ the activation's tokens (< 1). The ${
        Math.round(POWER_LEVEL * 100)
      }% interval is taken on ln(speed-up).`,
  },
  {
    id: "dense.val_speedup",
    experiment: "dense_1B",
    title: "Convergence speed-up (validation)",
    text: `PolyNorm reaches SwiGLU's final validation PPL with ≈${
      fixed(paperOf(VAL_SPEEDUPS, "polynorm"), 2)
    }× fewer tokens, PolyReLU with ≈${fixed(paperOf(VAL_SPEEDUPS, "polyrelu"), 2)}× fewer.`,
    measure: "valSpeedup",
    test: { comparisons: VAL_SPEEDUPS },
    published: [],
    howTested:
      "As the training speed-up, on the evaluation curve of the validation loss averaged over sources (no smoothing; evaluations are already averages), interpolated linearly between evaluations.",
  },
  {
    id: "dense.polynorm_vs_polyrelu",
    experiment: "dense_1B",
    title: "PolyNorm at least as good as PolyReLU",
    text: "PolyNorm is at least as good as PolyReLU on every dense metric.",
    measure: "trainLoss",
    test: {
      comparisons: [{
        activation: "polynorm",
        versus: "polyrelu",
        expected: "lower",
        paper: value(
          "PolyNorm − PolyReLU, training loss at 250B tokens",
          "der",
          {
            doc: P,
            minus: [`${D}/train_loss_at_tokens_B/PolyNorm/250`, `${D}/train_loss_at_tokens_B/PolyReLU/250`],
          },
          4,
          "polynorm",
        ),
      }],
    },
    published: [
      value(
        "PolyNorm − PolyReLU, validation PPL at 250B tokens",
        "der",
        {
          doc: P,
          minus: [`${D}/val_ppl_at_tokens_B/PolyNorm/250`, `${D}/val_ppl_at_tokens_B/PolyReLU/250`],
        },
        4,
        "polynorm",
      ),
    ],
    howTested:
      `Paired by seed: d = PolyNorm − PolyReLU of the ${TRAIN_LOSS_DEF} (validation: see the rankings). "At least as good" is tested as "lower": an interval that contains 0 is inconclusive, not a success.`,
  },
  {
    id: "dense.downstream",
    experiment: "dense_1B",
    title: "Downstream accuracy direction",
    text: `PolyNorm and PolyReLU score above SwiGLU downstream (HellaSwag, ARC-Easy; ${
      signedText(DENSE_DOWNSTREAM_MARGIN.value, 2)
    } points on the six-task average for PolyNorm), GELU and ReLU below.`,
    measure: "taskAcc",
    test: { comparisons: denseVersusSwiglu("higher") },
    published: [
      DENSE_DOWNSTREAM_MARGIN,
      ...DENSE_ORDER.map((a) =>
        value(
          `${name(a)}, HellaSwag accuracy at 250B tokens (%)`,
          "fig",
          { doc: P, pointer: `${D}/hellaswag_final_raw_acc_pct/${name(a)}` },
          3,
          a,
        )
      ),
      ...DENSE_ORDER.map((a) =>
        value(
          `${name(a)}, ARC-Easy raw accuracy at 250B tokens (%)`,
          "fig",
          { doc: P, pointer: `${D}/arc_easy_final/${name(a)}/recovered_raw_acc_pct` },
          3,
          a,
        )
      ),
    ],
    sizesComparable: false,
    howTested:
      "Paired by seed: d = activation − SwiGLU of the final zero-shot accuracy averaged over our tasks (small synthetic/cloze tasks, not the paper's). At this scale accuracies sit near chance, so most outcomes are expected to be inconclusive.",
  },
  {
    id: "moe.train_loss_gap",
    experiment: "moe_1B_active_7B_total",
    title: "MoE training-loss gap",
    text: `In the MoE model, PolyNorm ends with lower training loss than SwiGLU at the same parameter count (${
      MOE_TRAIN_LOSS.map((v) => fixed(v.value, 3)).join(" vs ")
    }).`,
    measure: "trainLoss",
    test: { comparisons: [{ activation: "polynorm", versus: "swiglu", expected: "lower", paper: MOE_TRAIN_GAP }] },
    published: MOE_TRAIN_LOSS,
    howTested:
      `Paired by seed: d = PolyNorm − SwiGLU of the ${TRAIN_LOSS_DEF} (CE only; the auxiliary MoE losses are excluded).`,
  },
  {
    id: "moe.val_loss_gap",
    experiment: "moe_1B_active_7B_total",
    title: "MoE validation gap per dataset",
    text: `PolyNorm has lower validation loss than SwiGLU on every validation set (C4 ${
      signedText(MOE_VAL_GAPS[0].value, 3)
    }, Wikipedia ${
      signedText(MOE_VAL_GAPS[1].value, 3)
    } at the last evaluation; better at ${MOE_EVALS_BETTER} evaluations on both; ${
      ofText(MOE_SETS_BETTER.value)
    } sets by ${MOE_AVERAGE_IMPROVEMENT.value} on average).`,
    measure: "valLossPerSource",
    test: { comparisons: [{ activation: "polynorm", versus: "swiglu", expected: "lower" }] },
    published: [...MOE_VAL_GAPS, MOE_SETS_BETTER, MOE_AVERAGE_IMPROVEMENT],
    howTested:
      "For each of our validation sources separately, paired by seed: d = PolyNorm − SwiGLU of the last evaluation's loss. The claim is reproduced when every source is, contradicted when any source is reversed.",
  },
  {
    id: "moe.train_speedup",
    experiment: "moe_1B_active_7B_total",
    title: "MoE convergence speed-up",
    text: `In the MoE model PolyNorm reaches SwiGLU's final training loss with ≈${
      fixed(MOE_TRAIN_SPEEDUP.value, 2)
    }× fewer tokens (≈${fixed(MOE_C4_SPEEDUP.value, 2)}× on C4, ≈${
      fixed(MOE_WIKI_SPEEDUP.value, 2)
    }× on Wikipedia validation).`,
    measure: "trainSpeedup",
    test: { comparisons: [{ activation: "polynorm", versus: "swiglu", expected: "higher", paper: MOE_TRAIN_SPEEDUP }] },
    published: [],
    howTested: "As the dense training speed-up.",
  },
  {
    id: "moe.val_speedup",
    experiment: "moe_1B_active_7B_total",
    title: "MoE convergence speed-up (validation)",
    text: `PolyNorm reaches SwiGLU's final validation loss with ≈${fixed(MOE_C4_SPEEDUP.value, 2)}× (C4) and ≈${
      fixed(MOE_WIKI_SPEEDUP.value, 2)
    }× (Wikipedia) fewer tokens.`,
    measure: "valSpeedup",
    test: { comparisons: [{ activation: "polynorm", versus: "swiglu", expected: "higher", paper: MOE_C4_SPEEDUP }] },
    published: [MOE_WIKI_SPEEDUP],
    howTested: "As the dense validation speed-up (validation loss averaged over our sources).",
  },
  {
    id: "moe.downstream",
    experiment: "moe_1B_active_7B_total",
    title: "MoE downstream accuracy direction",
    text: `PolyNorm beats SwiGLU downstream: better on ${
      ofText(MOE_TASKS_BETTER.value)
    } tasks, and on the four plotted tasks (${MOE_TASK_TEXT}).`,
    measure: "taskAcc",
    test: { comparisons: [{ activation: "polynorm", versus: "swiglu", expected: "higher" }] },
    published: [
      MOE_TASKS_BETTER,
      ...MOE_TASKS.map(([key, label]) =>
        value(
          `PolyNorm − SwiGLU, ${label} raw accuracy at the last evaluation (points)`,
          "der",
          {
            doc: P,
            minus: [moeTask(key, "PolyNorm"), moeTask(key, "SwiGLU")],
          },
          3,
          "polynorm",
        )
      ),
    ],
    sizesComparable: false,
    howTested:
      "Paired by seed: d = PolyNorm − SwiGLU of the final zero-shot accuracy averaged over our tasks. Near chance at this scale; expect inconclusive.",
  },
];

/**
 * The claims of one published experiment.
 *
 * @example
 * ```ts
 * claimsFor("moe_1B_active_7B_total").map((c) => c.id);
 * ```
 */
export function claimsFor(experiment: string): ClaimSpec[] {
  return CLAIMS.filter((c) => c.experiment === experiment);
}
