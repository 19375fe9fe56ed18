/**
 * The claims registry: each claim of the paper that the suites test, with its
 * published numbers (each with a provenance tag and a JSON pointer into the
 * paper data, checked by tests/report/claims_test.ts) and how it is tested at
 * small scale. This file is data; the rules that judge it are in verdict.ts.
 * @module
 */
import type { ExperimentId, ProvenanceTag, PublishedDocument } from "../published/mod.ts";
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

const DENSE_NAMES: Record<string, string> = {
  polynorm: "PolyNorm",
  polyrelu: "PolyReLU",
  swiglu: "SwiGLU",
  gelu: "GELU",
  relu: "ReLU",
};

function denseValue(activation: string, panel: string, value: number, what: string): PublishedValue {
  const name = DENSE_NAMES[activation];
  return {
    label: `${name}, ${what} at 250B tokens`,
    value,
    tag: "fig",
    ref: { doc: P, pointer: `${D}/${panel}/${name}/250` },
    activation,
  };
}

function denseGap(activation: string, panel: string, value: number, what: string): PublishedValue {
  const name = DENSE_NAMES[activation];
  return {
    label: `${name} − SwiGLU, ${what} at 250B tokens`,
    value,
    tag: "der",
    ref: { doc: P, minus: [`${D}/${panel}/${name}/250`, `${D}/${panel}/SwiGLU/250`] },
    activation,
  };
}

function denseSpeedup(activation: string, panel: string, value: number | string): PublishedValue {
  const name = DENSE_NAMES[activation];
  return {
    label: `${name}: SwiGLU's 250B tokens ÷ tokens ${name} needs to reach SwiGLU's 250B value`,
    value,
    tag: "der",
    ref: { doc: P, pointer: `${D}/${panel}/${name}/speedup_vs_SwiGLU_at_250B` },
    activation,
  };
}

/** The dense activations in the paper's order, best first (its rankings by training and validation loss). */
const DENSE_ORDER = ["polynorm", "polyrelu", "swiglu", "gelu", "relu"] as const;
type DenseActivation = typeof DENSE_ORDER[number];
type DenseChallenger = Exclude<DenseActivation, "swiglu">;

/** The five dense activations' values on one panel at 250B tokens, in the paper's order. */
function denseValues(panel: string, what: string, values: Record<DenseActivation, number>): PublishedValue[] {
  return DENSE_ORDER.map((activation) => denseValue(activation, panel, values[activation], what));
}

/** The paper's fraction of plotted positions of one curve file at which the full dense order holds. */
function denseOrderFraction(curves: string, label: string, value: number): PublishedValue {
  const order = DENSE_ORDER.map((a) => DENSE_NAMES[a]).join("<");
  return {
    label,
    value,
    tag: "der",
    ref: { doc: P, pointer: `${D}/dominance_over_training/${curves}/fraction_with_order_${order}` },
  };
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

/** The paper's speed-up for an activation that never reaches SwiGLU's 250B value. */
const NEVER_WITHIN_RUN = "never (within 255B)";

/** Published dense training losses at 250B tokens (the gap claim and the ranking claim both quote them). */
const DENSE_TRAIN_LOSS: Record<DenseActivation, number> = {
  polynorm: 2.1712,
  polyrelu: 2.1779,
  swiglu: 2.1902,
  gelu: 2.2085,
  relu: 2.2156,
};

const TRAIN_LOSS_DEF = "final training loss = mean cross-entropy over the last 5% of logged steps";
const VAL_LOSS_DEF = "final validation loss = the last evaluation's loss, averaged over the validation sources";

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
      "At equal parameters, PolyNorm and PolyReLU end with lower training loss than SwiGLU, GELU and ReLU with higher (250B tokens: PolyNorm −0.019, PolyReLU −0.012, GELU +0.018, ReLU +0.025).",
    measure: "trainLoss",
    test: {
      comparisons: denseVersusSwiglu("lower", (a) => {
        const gaps = { polynorm: -0.019, polyrelu: -0.012, gelu: 0.018, relu: 0.025 };
        return denseGap(a, "train_loss_at_tokens_B", gaps[a], "training loss");
      }),
    },
    published: [
      ...denseValues("train_loss_at_tokens_B", "training loss", DENSE_TRAIN_LOSS),
      ...(["PolyNorm", "SwiGLU"] as const).map((name, i): PublishedValue => ({
        label: `${name}, final training loss (secondary summary)`,
        value: [2.17, 2.19][i],
        tag: "sec",
        ref: { doc: P, pointer: `/results/quoted_numbers/1/value/${name}` },
        activation: name.toLowerCase(),
      })),
    ],
    howTested:
      `Paired by seed (same data order): d = activation − SwiGLU of the ${TRAIN_LOSS_DEF}. The direction is tested; the size is shown beside the paper's but not judged, since a small model need not have the same gap.`,
  },
  {
    id: "dense.train_loss_ranking",
    experiment: "dense_1B",
    title: "Ranking by training loss",
    text:
      "Final training loss ranks PolyNorm < PolyReLU < SwiGLU < GELU < ReLU (the full order holds at 100% of plotted positions from 26B to 254B tokens).",
    measure: "trainLoss",
    test: { ranking: [...DENSE_ORDER] },
    published: [
      ...denseValues("train_loss_at_tokens_B", "training loss", DENSE_TRAIN_LOSS),
      denseOrderFraction(
        "curves_dense_train_loss.csv",
        "fraction of plotted positions (26–254B) with order PolyNorm<PolyReLU<SwiGLU<GELU<ReLU",
        1,
      ),
    ],
    howTested:
      `Each neighbouring pair of the paper's order, among the activations a suite runs, is a paired comparison of the ${TRAIN_LOSS_DEF}; the ranking is reproduced when every pair is, contradicted when any pair is reversed.`,
  },
  {
    id: "dense.val_loss_ranking",
    experiment: "dense_1B",
    title: "Ranking by validation loss",
    text:
      "Validation PPL follows the same order at 250B tokens (PolyNorm 3.152 < PolyReLU 3.162 < SwiGLU 3.195 < GELU 3.225 < ReLU 3.241); PolyNorm is lowest at every plotted position.",
    measure: "valLoss",
    test: { ranking: [...DENSE_ORDER] },
    published: [
      ...denseValues("val_ppl_at_tokens_B", "validation PPL", {
        polynorm: 3.152,
        polyrelu: 3.1618,
        swiglu: 3.1954,
        gelu: 3.2249,
        relu: 3.2409,
      }),
      denseOrderFraction("curves_dense_val_ppl.csv", "fraction of plotted positions with the full order", 0.819),
    ],
    sizesComparable: false,
    howTested:
      `As the training ranking, on the ${VAL_LOSS_DEF}. The paper's "PPL" (≈3.2) cannot be exp(loss) and its validation set is undocumented, so only the order is compared.`,
  },
  {
    id: "dense.val_loss_gap",
    experiment: "dense_1B",
    title: "Validation gap to SwiGLU",
    text: "PolyNorm and PolyReLU reach lower validation PPL than SwiGLU, GELU and ReLU higher, at 250B tokens.",
    measure: "valLoss",
    test: {
      comparisons: denseVersusSwiglu("lower", (a) => {
        const gaps = { polynorm: -0.0434, polyrelu: -0.0336, gelu: 0.0295, relu: 0.0455 };
        return denseGap(a, "val_ppl_at_tokens_B", gaps[a], "validation PPL");
      }),
    },
    published: [],
    sizesComparable: false,
    howTested:
      `Paired by seed: d = activation − SwiGLU of the ${VAL_LOSS_DEF}. The paper's gaps are in its undocumented PPL units: compare signs, not sizes.`,
  },
  {
    id: "dense.train_speedup",
    experiment: "dense_1B",
    title: "Convergence speed-up (training loss)",
    text:
      "PolyNorm reaches SwiGLU's final training loss with ≈1.46× fewer tokens, PolyReLU with ≈1.23× fewer; GELU and ReLU never reach it within the run.",
    measure: "trainSpeedup",
    test: {
      comparisons: denseVersusSwiglu("higher", (a) => {
        const speedups = { polynorm: 1.458, polyrelu: 1.23, gelu: NEVER_WITHIN_RUN, relu: NEVER_WITHIN_RUN };
        return denseSpeedup(a, "tokens_to_reach_SwiGLU_250B_train_loss", speedups[a]);
      }),
    },
    published: [
      {
        label: "PolyNorm: tokens to reach SwiGLU's 250B training loss (billions)",
        value: 171.51,
        tag: "der",
        ref: { doc: P, pointer: `${D}/tokens_to_reach_SwiGLU_250B_train_loss/PolyNorm/tokens_B` },
        activation: "polynorm",
      },
      {
        label: "PolyReLU: tokens to reach SwiGLU's 250B training loss (billions)",
        value: 203.21,
        tag: "der",
        ref: { doc: P, pointer: `${D}/tokens_to_reach_SwiGLU_250B_train_loss/PolyReLU/tokens_B` },
        activation: "polyrelu",
      },
    ],
    howTested:
      "Per seed, on training-loss curves smoothed by a trailing mean over 5% of the logged steps: the tokens the activation needs to reach SwiGLU's final smoothed loss (linear interpolation), speed-up = SwiGLU's tokens ÷ those tokens. When it never gets there, the speed-up is SwiGLU's tokens to reach the activation's final loss ÷ the activation's tokens (< 1). The 95% interval is taken on ln(speed-up).",
  },
  {
    id: "dense.val_speedup",
    experiment: "dense_1B",
    title: "Convergence speed-up (validation)",
    text: "PolyNorm reaches SwiGLU's final validation PPL with ≈1.40× fewer tokens, PolyReLU with ≈1.37× fewer.",
    measure: "valSpeedup",
    test: {
      comparisons: denseVersusSwiglu("higher", (a) => {
        const speedups = { polynorm: 1.395, polyrelu: 1.365, gelu: NEVER_WITHIN_RUN, relu: NEVER_WITHIN_RUN };
        return denseSpeedup(a, "tokens_to_reach_SwiGLU_250B_val_ppl", speedups[a]);
      }),
    },
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
        paper: {
          label: "PolyNorm − PolyReLU, training loss at 250B tokens",
          value: -0.0067,
          tag: "der",
          ref: {
            doc: P,
            minus: [`${D}/train_loss_at_tokens_B/PolyNorm/250`, `${D}/train_loss_at_tokens_B/PolyReLU/250`],
          },
          activation: "polynorm",
        },
      }],
    },
    published: [{
      label: "PolyNorm − PolyReLU, validation PPL at 250B tokens",
      value: -0.0098,
      tag: "der",
      ref: { doc: P, minus: [`${D}/val_ppl_at_tokens_B/PolyNorm/250`, `${D}/val_ppl_at_tokens_B/PolyReLU/250`] },
      activation: "polynorm",
    }],
    howTested:
      `Paired by seed: d = PolyNorm − PolyReLU of the ${TRAIN_LOSS_DEF} (validation: see the rankings). "At least as good" is tested as "lower": an interval that contains 0 is inconclusive, not a success.`,
  },
  {
    id: "dense.downstream",
    experiment: "dense_1B",
    title: "Downstream accuracy direction",
    text:
      "PolyNorm and PolyReLU score above SwiGLU downstream (HellaSwag, ARC-Easy; +1.21 points on the six-task average for PolyNorm), GELU and ReLU below.",
    measure: "taskAcc",
    test: { comparisons: denseVersusSwiglu("higher") },
    published: [
      {
        label: "PolyNorm − SwiGLU, average of six tasks (points)",
        value: 1.21,
        tag: "sec",
        ref: { doc: P, pointer: "/results/quoted_numbers/0/value/avg_accuracy_margin_points" },
        activation: "polynorm",
      },
      ...DENSE_ORDER.map((a, i): PublishedValue => ({
        label: `${DENSE_NAMES[a]}, HellaSwag accuracy at 250B tokens (%)`,
        value: [50.856, 50.189, 49.233, 48.417, 48.586][i],
        tag: "fig",
        ref: { doc: P, pointer: `${D}/hellaswag_final_raw_acc_pct/${DENSE_NAMES[a]}` },
        activation: a,
      })),
      ...DENSE_ORDER.map((a, i): PublishedValue => ({
        label: `${DENSE_NAMES[a]}, ARC-Easy raw accuracy at 250B tokens (%)`,
        value: [59.68, 57.534, 56.608, 55.429, 55.682][i],
        tag: "fig",
        ref: { doc: P, pointer: `${D}/arc_easy_final/${DENSE_NAMES[a]}/recovered_raw_acc_pct` },
        activation: a,
      })),
    ],
    sizesComparable: false,
    howTested:
      "Paired by seed: d = activation − SwiGLU of the final zero-shot accuracy averaged over our tasks (small synthetic/cloze tasks, not the paper's). At this scale accuracies sit near chance, so most outcomes are expected to be inconclusive.",
  },
  {
    id: "moe.train_loss_gap",
    experiment: "moe_1B_active_7B_total",
    title: "MoE training-loss gap",
    text:
      "In the MoE model, PolyNorm ends with lower training loss than SwiGLU at the same parameter count (2.341 vs 2.355).",
    measure: "trainLoss",
    test: {
      comparisons: [{
        activation: "polynorm",
        versus: "swiglu",
        expected: "lower",
        paper: {
          label: "PolyNorm − SwiGLU, training loss at the last point (202B tokens)",
          value: -0.0141,
          tag: "der",
          ref: { doc: P, minus: [`${M}/train_loss_last_point/PolyNorm/y`, `${M}/train_loss_last_point/SwiGLU/y`] },
          activation: "polynorm",
        },
      }],
    },
    published: [
      {
        label: "PolyNorm, training loss at 202B tokens",
        value: 2.3406,
        tag: "fig",
        ref: { doc: P, pointer: `${M}/train_loss_last_point/PolyNorm/y` },
        activation: "polynorm",
      },
      {
        label: "SwiGLU, training loss at 202B tokens",
        value: 2.3547,
        tag: "fig",
        ref: { doc: P, pointer: `${M}/train_loss_last_point/SwiGLU/y` },
        activation: "swiglu",
      },
    ],
    howTested:
      `Paired by seed: d = PolyNorm − SwiGLU of the ${TRAIN_LOSS_DEF} (CE only; the auxiliary MoE losses are excluded).`,
  },
  {
    id: "moe.val_loss_gap",
    experiment: "moe_1B_active_7B_total",
    title: "MoE validation gap per dataset",
    text:
      "PolyNorm has lower validation loss than SwiGLU on every validation set (C4 −0.019, Wikipedia −0.018 at the last evaluation; better at 37 of 37 evaluations on both; 11 of 11 sets by 0.02 on average).",
    measure: "valLossPerSource",
    test: { comparisons: [{ activation: "polynorm", versus: "swiglu", expected: "lower" }] },
    published: [
      {
        label: "PolyNorm − SwiGLU, C4 validation loss at the last evaluation (201B)",
        value: -0.019,
        tag: "der",
        ref: { doc: P, minus: [`${M}/val_loss_c4_last_eval/PolyNorm/y`, `${M}/val_loss_c4_last_eval/SwiGLU/y`] },
        activation: "polynorm",
      },
      {
        label: "PolyNorm − SwiGLU, Wikipedia validation loss at the last evaluation (201B)",
        value: -0.0177,
        tag: "der",
        ref: {
          doc: P,
          minus: [`${M}/val_loss_wikipedia_last_eval/PolyNorm/y`, `${M}/val_loss_wikipedia_last_eval/SwiGLU/y`],
        },
        activation: "polynorm",
      },
      {
        label: "validation sets on which PolyNorm is lower (of 11)",
        value: "11/11",
        tag: "sec",
        ref: { doc: P, pointer: "/results/quoted_numbers/3/value/datasets_better" },
      },
      {
        label: "average improvement over the 11 sets",
        value: 0.02,
        tag: "sec",
        ref: { doc: P, pointer: "/results/quoted_numbers/3/value/average_improvement" },
      },
    ],
    howTested:
      "For each of our validation sources separately, paired by seed: d = PolyNorm − SwiGLU of the last evaluation's loss. The claim is reproduced when every source is, contradicted when any source is reversed.",
  },
  {
    id: "moe.train_speedup",
    experiment: "moe_1B_active_7B_total",
    title: "MoE convergence speed-up",
    text:
      "In the MoE model PolyNorm reaches SwiGLU's final training loss with ≈1.25× fewer tokens (≈1.30× on C4, ≈1.29× on Wikipedia validation).",
    measure: "trainSpeedup",
    test: {
      comparisons: [{
        activation: "polynorm",
        versus: "swiglu",
        expected: "higher",
        paper: {
          label: "PolyNorm: SwiGLU's final tokens ÷ tokens PolyNorm needs to reach SwiGLU's final training loss",
          value: 1.246,
          tag: "der",
          ref: { doc: P, pointer: `${M}/tokens_to_reach_SwiGLU_final/train_loss/PolyNorm/speedup_vs_SwiGLU_final` },
          activation: "polynorm",
        },
      }],
    },
    published: [],
    howTested: "As the dense training speed-up.",
  },
  {
    id: "moe.val_speedup",
    experiment: "moe_1B_active_7B_total",
    title: "MoE convergence speed-up (validation)",
    text: "PolyNorm reaches SwiGLU's final validation loss with ≈1.30× (C4) and ≈1.29× (Wikipedia) fewer tokens.",
    measure: "valSpeedup",
    test: {
      comparisons: [{
        activation: "polynorm",
        versus: "swiglu",
        expected: "higher",
        paper: {
          label: "PolyNorm speed-up to SwiGLU's final C4 validation loss",
          value: 1.298,
          tag: "der",
          ref: { doc: P, pointer: `${M}/tokens_to_reach_SwiGLU_final/val_loss_c4/PolyNorm/speedup_vs_SwiGLU_final` },
          activation: "polynorm",
        },
      }],
    },
    published: [{
      label: "PolyNorm speed-up to SwiGLU's final Wikipedia validation loss",
      value: 1.288,
      tag: "der",
      ref: { doc: P, pointer: `${M}/tokens_to_reach_SwiGLU_final/val_loss_wikipedia/PolyNorm/speedup_vs_SwiGLU_final` },
      activation: "polynorm",
    }],
    howTested: "As the dense validation speed-up (validation loss averaged over our sources).",
  },
  {
    id: "moe.downstream",
    experiment: "moe_1B_active_7B_total",
    title: "MoE downstream accuracy direction",
    text:
      "PolyNorm beats SwiGLU downstream: better on 8 of 9 tasks, and on the four plotted tasks (HellaSwag 67.63 vs 66.62, ARC-Challenge 38.46 vs 36.45, SciQ 92.4 vs 90.6, MMLU-Var 37.27 vs 36.70).",
    measure: "taskAcc",
    test: { comparisons: [{ activation: "polynorm", versus: "swiglu", expected: "higher" }] },
    published: [
      {
        label: "tasks on which PolyNorm is better (of 9)",
        value: "8/9",
        tag: "sec",
        ref: { doc: P, pointer: "/results/quoted_numbers/4/value/tasks_better" },
      },
      ...([["hellaswag", "HellaSwag", 1.006], ["arc_challenge", "ARC-Challenge", 2.007], ["sciq", "SciQ", 1.8], [
        "mmlu_var",
        "MMLU-Var",
        0.579,
      ]] as const).map(([key, name, value]): PublishedValue => ({
        label: `PolyNorm − SwiGLU, ${name} raw accuracy at the last evaluation (points)`,
        value,
        tag: "der",
        ref: {
          doc: P,
          minus: [
            `${M}/downstream_last_eval/${key}/PolyNorm/raw_acc_pct`,
            `${M}/downstream_last_eval/${key}/SwiGLU/raw_acc_pct`,
          ],
        },
        activation: "polynorm",
      })),
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
