/**
 * The dense experiment's claims (PolyCom §4.1, Figure 1) and the paper's
 * values they quote. Data only: every paper number is read from the paper
 * data (see claims.ts).
 * @module
 */
import { publishedDocument, resolvePointer } from "../published/mod.ts";
import type { ClaimSpec, ComparisonSpec, Direction, PublishedRef, PublishedValue } from "./claim_types.ts";
import { POWER_LEVEL } from "./power.ts";
import { fixed, name, P, percent, signedText, TRAIN_LOSS_DEF, VAL_LOSS_DEF, value, WINDOW } from "./_quote.ts";

const D = "/results/figure_derived/dense_1B";

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

/** The dense claims, in the order the report tests them. */
export const DENSE_CLAIMS: readonly ClaimSpec[] = [
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
      `Paired by seed (same data order): d = activation − SwiGLU of the ${TRAIN_LOSS_DEF}. The interval is read against 0 and against the paper's gap (the verdict rule): a small model need not have the same gap, so a smaller one is a finding about this size, not about the paper's.`,
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
      `Paired by seed: d = PolyNorm − PolyReLU of the ${TRAIN_LOSS_DEF} (validation: see the rankings). "At least as good" is tested as "lower": an interval that contains 0 is not a success.`,
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
      "Paired by seed: d = activation − SwiGLU of the final zero-shot accuracy averaged over our tasks (small synthetic/cloze tasks, not the paper's). Only tasks that some model scores above chance can decide it: when none does, the comparison is untestable at this size.",
  },
];
