/**
 * Scale ladders: a suite's rungs between fixed anchor configurations, each
 * about 3–4× the training compute of the one below, with every dimension
 * interpolated log-linearly between the anchors and rounded to shapes a
 * model accepts. The rungs are computed once from the anchors, so the same
 * rung name is the same configuration on every machine; a rung is named
 * after its (active) parameter count, e.g. `860k`.
 * @module
 */
import { modelConfigFor } from "../model/build_config.ts";
import { countParameters, flopsPerToken } from "../model/counts.ts";
import type { ManifestEntry, ModelDims, ScaleConfig, Suite } from "./schema.ts";

/** One anchor of a ladder: a fully specified rung. */
export interface Anchor {
  hidden: number;
  layers: number;
  heads: number;
  gatedWidth: number;
  experts?: number;
  topK?: number;
  batchSize: number;
  seqLen: number;
  /** Training steps (tokens = steps · batchSize · seqLen). */
  steps: number;
  lrPeak: number;
  warmupFraction: number;
  valTokens: number;
  taskItems: number;
  /** Tokenizer when not the suite's (the paper rung uses the paper's vocabulary). */
  tokenizer?: { bpe: number };
  seeds?: number[];
  /** Forced rung name (`paper`); others are named after their parameter count. */
  name?: string;
  notes?: string;
}

/** What the ladder needs to know about the suite it belongs to. */
export interface LadderRecipe {
  family: Suite["family"];
  /** The baseline activation, whose parameter count names a rung. */
  baseline: string;
  qkNorm: boolean;
  /** Vocabulary size of the suite's own tokenizer (byte-level: 259). */
  vocab: number;
  /** The paper's values the per-rung manifest compares against. */
  paper: { lrPeak: number; warmupFraction: number; seqLen: number; batchSize: number; tokensPerParam: number };
  /** Largest compute ratio between neighbouring rungs; the ladder uses the fewest rungs that stay under it. */
  maxRatio?: number;
}

/** A generated rung. */
export interface Rung {
  name: string;
  config: ScaleConfig;
  /** Active parameters of the baseline activation's model. */
  params: number;
  tokens: number;
  /** Training FLOPs of one run (forward + backward, {@linkcode flopsPerToken} × tokens). */
  flops: number;
}

const lerpLog = (a: number, b: number, t: number) => Math.exp(Math.log(a) + (Math.log(b) - Math.log(a)) * t);
const roundTo = (x: number, m: number) => Math.max(m, Math.round(x / m) * m);
const pow2 = (x: number) => 2 ** Math.round(Math.log2(x));

function interpolate(a: Anchor, b: Anchor, t: number): Anchor {
  const headDim = roundTo(lerpLog(a.hidden / a.heads, b.hidden / b.heads, t), 16);
  const heads = Math.max(1, Math.round(lerpLog(a.hidden, b.hidden, t) / headDim));
  const hidden = heads * headDim;
  const batchSize = Math.round(lerpLog(a.batchSize, b.batchSize, t));
  const seqLen = pow2(lerpLog(a.seqLen, b.seqLen, t));
  const experts = a.experts && b.experts ? roundTo(lerpLog(a.experts, b.experts, t), 2) : undefined;
  const topK = a.topK && b.topK && experts ? Math.min(experts, Math.round(lerpLog(a.topK, b.topK, t))) : undefined;
  return {
    hidden,
    layers: Math.round(lerpLog(a.layers, b.layers, t)),
    heads,
    // The gated width keeps its ratio to d_model moving smoothly between the anchors.
    gatedWidth: roundTo(hidden * lerpLog(a.gatedWidth / a.hidden, b.gatedWidth / b.hidden, t), 8),
    experts,
    topK,
    batchSize,
    seqLen,
    steps: 1, // set by the caller from the rung's compute target
    lrPeak: Number(lerpLog(a.lrPeak, b.lrPeak, t).toPrecision(2)),
    warmupFraction: Number(lerpLog(a.warmupFraction, b.warmupFraction, t).toPrecision(2)),
    valTokens: roundTo(lerpLog(a.valTokens, b.valTokens, t), 1024),
    taskItems: roundTo(lerpLog(a.taskItems, b.taskItems, t), 10),
  };
}

function dimsOf(a: Anchor, recipe: LadderRecipe): ModelDims {
  return {
    hidden: a.hidden,
    layers: a.layers,
    heads: a.heads,
    gatedWidth: a.gatedWidth,
    ...(a.experts ? { experts: a.experts, topK: a.topK } : {}),
    qkNorm: recipe.qkNorm,
    polyOrder: 3,
  };
}

function measure(a: Anchor, recipe: LadderRecipe): { params: number; tokens: number; flops: number } {
  const model = modelConfigFor({
    family: recipe.family,
    activation: recipe.baseline,
    hidden: a.hidden,
    layers: a.layers,
    heads: a.heads,
    gatedWidth: a.gatedWidth,
    vocab: a.tokenizer?.bpe ?? recipe.vocab,
    maxPositions: a.seqLen,
    qkNorm: recipe.qkNorm,
    experts: a.experts,
    topK: a.topK,
  });
  const tokens = a.steps * a.batchSize * a.seqLen;
  return { params: countParameters(model).active, tokens, flops: flopsPerToken(model, a.seqLen) * tokens };
}

/**
 * A parameter count as a rung name: two significant digits (or `digits`), `k`/`m`/`b`.
 *
 * @example
 * ```ts
 * rungName(858_000); // "860k"
 * rungName(12_400_000); // "12m"
 * ```
 */
export function rungName(params: number, digits = 2): string {
  const [div, unit] = params >= 1e9 ? [1e9, "b"] : params >= 1e6 ? [1e6, "m"] : [1e3, "k"];
  return `${Number((params / div).toPrecision(digits))}${unit}`;
}

const fmt = (x: number) => Number(x.toPrecision(2)).toString();

function manifestOf(a: Anchor, m: { params: number; tokens: number }, recipe: LadderRecipe): ManifestEntry[] {
  const p = recipe.paper;
  const tpp = m.tokens / m.params;
  return [
    {
      what: "peak learning rate",
      paper: `${fmt(p.lrPeak)} at d = 2048`,
      here: `${fmt(a.lrPeak)} at d = ${a.hidden}`,
      kept: a.lrPeak === p.lrPeak,
      why: "Narrow models train stably at larger rates (the optimal lr scales roughly as 1/width); the rate moves " +
        "log-linearly between the ladder's anchors.",
    },
    {
      what: "warmup fraction",
      paper: `${fmt(p.warmupFraction * 100)}% of tokens`,
      here: `${fmt(a.warmupFraction * 100)}% of ${a.steps} steps`,
      kept: a.warmupFraction === p.warmupFraction,
      why: "A fraction of a short run can be under a few steps; tiny models diverge without a real warmup.",
    },
    {
      what: "sequence length and batch",
      paper: `${p.seqLen} tokens × ${p.batchSize} sequences`,
      here: `${a.seqLen} × ${a.batchSize}`,
      kept: a.seqLen === p.seqLen && a.batchSize === p.batchSize,
      why: "Attention cost and memory; the comparison is between activations at the same shape.",
    },
    {
      what: "tokens per parameter",
      paper: `≈${Math.round(p.tokensPerParam)}`,
      here: `≈${fmt(tpp)} (${m.tokens.toLocaleString("en-US")} tokens, ${m.params.toLocaleString("en-US")} params)`,
      kept: Math.abs(tpp / p.tokensPerParam - 1) < 0.1,
      why: "Each rung grows parameters and tokens together; small rungs see fewer tokens per parameter than the paper.",
    },
  ];
}

function toRung(a: Anchor, recipe: LadderRecipe): Rung {
  const m = measure(a, recipe);
  const evalEvery = Math.max(1, Math.round(a.steps / 4));
  const config: ScaleConfig = {
    model: dimsOf(a, recipe),
    train: {
      batchSize: a.batchSize,
      seqLen: a.seqLen,
      tokens: a.steps * a.batchSize * a.seqLen,
      evalEvery,
      logEvery: Math.max(1, Math.round(a.steps / 80)),
      checkpointEvery: evalEvery,
      valTokens: a.valTokens,
      taskItems: a.taskItems,
      ...(a.seeds ? { seeds: a.seeds } : {}),
    },
    optimizer: { lrPeak: a.lrPeak, warmupFraction: a.warmupFraction },
    ...(a.tokenizer ? { tokenizer: a.tokenizer } : {}),
    notes: a.notes ??
      `Ladder rung: ${rungName(m.params)} parameters, ${(m.tokens / 1e6).toPrecision(3)}M tokens, ` +
        `${m.flops.toPrecision(2)} training FLOPs per run.`,
    manifest: manifestOf(a, m, recipe),
  };
  return { name: a.name ?? rungName(m.params), config, ...m };
}

/**
 * The rungs from the first anchor to the last, through every anchor: between
 * two anchors, the fewest evenly spaced (in log compute) rungs whose
 * neighbouring compute ratio stays at most `maxRatio` (default 4).
 *
 * @example
 * ```ts
 * declare const small: Anchor, large: Anchor;
 * declare const recipe: LadderRecipe;
 * const rungs = buildLadder([small, large], recipe);
 * rungs.map((r) => r.name); // ["120k", "290k", ..., "paper"]
 * ```
 */
export function buildLadder(anchors: readonly Anchor[], recipe: LadderRecipe): Rung[] {
  const maxRatio = recipe.maxRatio ?? 4;
  const out: Anchor[] = [anchors[0]];
  for (let i = 1; i < anchors.length; i++) {
    const [a, b] = [anchors[i - 1], anchors[i]];
    const ratio = measure(b, recipe).flops / measure(a, recipe).flops;
    const segments = Math.max(1, Math.ceil(Math.log(ratio) / Math.log(maxRatio) - 1e-9));
    for (let k = 1; k < segments; k++) {
      // Shapes are rounded; the token budget then lands the rung on its compute target exactly.
      const shape = interpolate(a, b, k / segments);
      const target = measure(a, recipe).flops * ratio ** (k / segments);
      const perStep = measure({ ...shape, steps: 1 }, recipe).flops;
      out.push({ ...shape, steps: Math.max(1, Math.round(target / perStep)) });
    }
    out.push(b);
  }
  const names = new Set<string>();
  return out.map((a) => {
    const rung = toRung(a, recipe);
    // Two rungs can round to the same parameter count (the budget grew, the shape barely): add a digit.
    for (let digits = 3; names.has(rung.name) && digits < 6; digits++) {
      rung.name = rungName(rung.params, digits);
    }
    names.add(rung.name);
    return rung;
  });
}

/**
 * The `scales` object of a suite: `smoke` first, then the ladder in order.
 *
 * @example
 * ```ts
 * import type { ScaleConfig } from "./schema.ts";
 * declare const smoke: ScaleConfig;
 * declare const anchors: Anchor[];
 * declare const recipe: LadderRecipe;
 * const scales = ladderScales(smoke, buildLadder(anchors, recipe));
 * ```
 */
export function ladderScales(smoke: ScaleConfig, rungs: readonly Rung[]): Record<string, ScaleConfig> {
  const scales: Record<string, ScaleConfig> = { smoke };
  for (const rung of rungs) {
    if (rung.name in scales) throw new Error(`ladder: two rungs are named '${rung.name}'`);
    scales[rung.name] = rung.config;
  }
  return scales;
}
