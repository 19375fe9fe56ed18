/**
 * An independent float64 implementation of the architecture, written from the
 * issue's specification with plain loops over PyTorch-layout weights. Tests
 * compare the tfjs model against it (logits, losses, routing) and take
 * finite-difference gradients of it.
 * @module
 */
import type { ModelConfig } from "../../src/model/config.ts";

/** Weights by Hugging Face name, PyTorch layout. */
export type RefWeights = Map<string, Float64Array | Float32Array>;

/** Everything the reference computes for one batch. */
export interface RefOutput {
  /** `[tokens, vocab]` row-major. */
  logits: Float64Array;
  ce: number;
  /** Per layer, unweighted. */
  loadBalancing: number[];
  zLoss: number[];
  aux: number;
  loss: number;
  /** Per MoE layer, the chosen experts of each token. */
  routing: number[][][];
}

const POLYNORM_EPS = 1e-6;

function erf(x: number): number {
  // Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): smooth, enough for 1e-4 comparisons.
  const sign = x < 0 ? -1 : 1;
  const ax = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * ax);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign * (1 - poly * Math.exp(-ax * ax));
}

function rmsNorm(x: Float64Array, w: ArrayLike<number>, eps: number): Float64Array {
  let ms = 0;
  for (const v of x) ms += v * v;
  const r = 1 / Math.sqrt(ms / x.length + eps);
  return x.map((v, i) => v * r * w[i]);
}

/** y = W x with W `[out, in]`. */
function matvec(w: ArrayLike<number>, x: Float64Array, out: number): Float64Array {
  const inp = x.length;
  const y = new Float64Array(out);
  for (let o = 0; o < out; o++) {
    let s = 0;
    for (let i = 0; i < inp; i++) s += w[o * inp + i] * x[i];
    y[o] = s;
  }
  return y;
}

function logSumExp(v: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < v.length; i++) m = Math.max(m, v[i]);
  let s = 0;
  for (let i = 0; i < v.length; i++) s += Math.exp(v[i] - m);
  return m + Math.log(s);
}

function activate(config: ModelConfig, h: Float64Array, gate: Float64Array | null, a: ArrayLike<number>): Float64Array {
  switch (config.hidden_act) {
    case "silu":
      return gate!.map((g, i) => (g / (1 + Math.exp(-g))) * h[i]);
    case "silu_nongated":
      return h.map((x) => x / (1 + Math.exp(-x)));
    case "gelu":
      return h.map((x) => 0.5 * x * (1 + erf(x / Math.SQRT2)));
    case "relu":
      return h.map((x) => Math.max(0, x));
    case "relu2":
      return h.map((x) => Math.max(0, x) ** 2);
    case "polyrelu":
      return h.map((x) => {
        let s = a[0];
        for (let i = 1; i < a.length; i++) s += a[i] * Math.max(0, x) ** i;
        return s;
      });
    case "polynorm": {
      const out = new Float64Array(h.length).fill(a[0]);
      for (let i = 1; i < a.length; i++) {
        const p = h.map((x) => x ** i);
        let ms = 0;
        for (const v of p) ms += v * v;
        const r = 1 / Math.sqrt(ms / p.length + POLYNORM_EPS);
        for (let j = 0; j < out.length; j++) out[j] += a[i] * p[j] * r;
      }
      return out;
    }
    default:
      throw new Error(`reference: no activation ${config.hidden_act}`);
  }
}

function mlp(config: ModelConfig, x: Float64Array, weights: RefWeights, prefix: string, a: ArrayLike<number>) {
  const w = config.intermediate_size;
  const d = config.hidden_size;
  const up = matvec(weights.get(`${prefix}.up_proj.weight`)!, x, w);
  const gate = config.hidden_act === "silu" ? matvec(weights.get(`${prefix}.gate_proj.weight`)!, x, w) : null;
  return matvec(weights.get(`${prefix}.down_proj.weight`)!, activate(config, up, gate, a), d);
}

/**
 * Runs the reference model on `tokens` (`[batch][seqLen]`) with next-token `targets`.
 *
 * @example
 * ```ts
 * const out = referenceForward(config, weights, [[1, 2, 3]], [[2, 3, 4]]);
 * ```
 */
export function referenceForward(
  config: ModelConfig,
  weights: RefWeights,
  tokens: number[][],
  targets: number[][],
): RefOutput {
  const d = config.hidden_size;
  const heads = config.num_attention_heads;
  const hd = d / heads;
  const kvHeads = config.num_key_value_heads;
  const group = heads / kvHeads;
  const eps = config.rms_norm_eps;
  const V = config.vocab_size;
  const isMoe = config.model_type === "olmoe";
  const E = config.num_experts ?? 0;
  const k = config.num_experts_per_tok ?? 0;
  const embed = weights.get("model.embed_tokens.weight")!;
  // Hidden states, one per token, batch-major.
  let xs: Float64Array[] = tokens.flat().map((t) => Float64Array.from(embed.subarray(t * d, (t + 1) * d)));
  const T = xs.length;
  const loadBalancing: number[] = [];
  const zLoss: number[] = [];
  const routing: number[][][] = [];
  for (let l = 0; l < config.num_hidden_layers; l++) {
    const p = `model.layers.${l}`;
    const coefficients = weights.get(`${p}.mlp.act_fn.coefficients`) ?? new Float64Array(0);
    const normed = xs.map((x) => rmsNorm(x, weights.get(`${p}.input_layernorm.weight`)!, eps));
    const proj = (name: string) =>
      normed.map((x) => matvec(weights.get(`${p}.self_attn.${name}_proj.weight`)!, x, name === "q" ? d : kvHeads * hd));
    let q = proj("q");
    let kk = proj("k");
    const v = proj("v");
    if (config.qk_norm) {
      q = q.map((x) => rmsNorm(x, weights.get(`${p}.self_attn.q_norm.weight`)!, eps));
      kk = kk.map((x) => rmsNorm(x, weights.get(`${p}.self_attn.k_norm.weight`)!, eps));
    }
    const rope = (x: Float64Array, pos: number) => {
      const out = new Float64Array(x.length);
      for (let h = 0; h < x.length / hd; h++) {
        for (let i = 0; i < hd / 2; i++) {
          const angle = pos * Math.pow(config.rope_theta, (-2 * i) / hd);
          const x1 = x[h * hd + i];
          const x2 = x[h * hd + i + hd / 2];
          out[h * hd + i] = x1 * Math.cos(angle) - x2 * Math.sin(angle);
          out[h * hd + i + hd / 2] = x2 * Math.cos(angle) + x1 * Math.sin(angle);
        }
      }
      return out;
    };
    const next: Float64Array[] = [];
    let t0 = 0;
    for (const seq of tokens) {
      const s = seq.length;
      const qs = Array.from({ length: s }, (_, i) => rope(q[t0 + i], i));
      const ks = Array.from({ length: s }, (_, i) => rope(kk[t0 + i], i));
      for (let i = 0; i < s; i++) {
        const ctx = new Float64Array(d);
        for (let h = 0; h < heads; h++) {
          const scores: number[] = [];
          for (let j = 0; j <= i; j++) {
            let dot = 0;
            const kh = Math.floor(h / group); // grouped-query attention: transformers' repeat_kv
            for (let c = 0; c < hd; c++) dot += qs[i][h * hd + c] * ks[j][kh * hd + c];
            scores.push(dot / Math.sqrt(hd));
          }
          const lse = logSumExp(scores);
          for (let j = 0; j <= i; j++) {
            const pr = Math.exp(scores[j] - lse);
            for (let c = 0; c < hd; c++) ctx[h * hd + c] += pr * v[t0 + j][Math.floor(h / group) * hd + c];
          }
        }
        const o = matvec(weights.get(`${p}.self_attn.o_proj.weight`)!, ctx, d);
        next.push(xs[t0 + i].map((val, c) => val + o[c]));
      }
      t0 += s;
    }
    xs = next;
    const post = xs.map((x) => rmsNorm(x, weights.get(`${p}.post_attention_layernorm.weight`)!, eps));
    if (!isMoe) {
      xs = xs.map((x, t) => {
        const y = mlp(config, post[t], weights, `${p}.mlp`, coefficients);
        return x.map((val, c) => val + y[c]);
      });
      continue;
    }
    const counts = new Float64Array(E);
    const meanProb = new Float64Array(E);
    let z = 0;
    const chosenAll: number[][] = [];
    xs = xs.map((x, t) => {
      const logits = matvec(weights.get(`${p}.mlp.gate.weight`)!, post[t], E);
      const lse = logSumExp(logits);
      z += lse * lse / T;
      const probs = logits.map((g) => Math.exp(g - lse));
      probs.forEach((pr, e) => (meanProb[e] += pr / T));
      const order = Array.from(probs.keys()).sort((a, b) => probs[b] - probs[a] || a - b);
      const chosen = order.slice(0, k);
      chosenAll.push(chosen);
      let norm = 1;
      if (config.norm_topk_prob) norm = chosen.reduce((acc, e) => acc + probs[e], 0);
      const out = Float64Array.from(x);
      for (const e of chosen) {
        counts[e]++;
        const y = mlp(config, post[t], weights, `${p}.mlp.experts.${e}`, coefficients);
        for (let c = 0; c < d; c++) out[c] += (probs[e] / norm) * y[c];
      }
      return out;
    });
    let lb = 0;
    for (let e = 0; e < E; e++) lb += counts[e] * meanProb[e];
    loadBalancing.push((lb * E) / (T * k));
    zLoss.push(z);
    routing.push(chosenAll);
  }
  const logits = new Float64Array(T * V);
  let ce = 0;
  const flatTargets = targets.flat();
  xs.forEach((x, t) => {
    const head = config.tie_word_embeddings ? embed : weights.get("lm_head.weight")!;
    const row = matvec(head, rmsNorm(x, weights.get("model.norm.weight")!, eps), V);
    logits.set(row, t * V);
    ce += (logSumExp(row) - row[flatTargets[t]]) / T;
  });
  const L = config.num_hidden_layers;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / L;
  const aux = isMoe
    ? (config.router_aux_loss_coef ?? 0) * mean(loadBalancing) + (config.router_z_loss_coef ?? 0) * mean(zLoss)
    : 0;
  return { logits, ce, loadBalancing, zLoss, aux, loss: ce + aux, routing };
}
