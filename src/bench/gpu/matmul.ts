/**
 * Matmul throughput on the active tfjs backend at square sizes and at a
 * model's own shapes, forward and both backward products, the way the model
 * calls them (weights stored `[in, out]`: forward `X·W`, input gradient
 * `dY·Wᵀ`, weight gradient `Xᵀ·dY`).
 * @module
 */
import { tf } from "../../backend/tf.ts";
import { internalShape, type ModelConfig, parameterSpecs } from "../../model/mod.ts";
import { median } from "./_timing.ts";

/** One product to time: `[m, k] × [k, n]`, with tfjs's transpose flags. */
export interface MatmulShape {
  label: string;
  m: number;
  k: number;
  n: number;
  transposeA: boolean;
  transposeB: boolean;
}

/** A timed product. */
export interface MatmulRow extends MatmulShape {
  ms: number;
  gflops: number;
}

/**
 * The products a training step of `config` runs for each distinct linear
 * weight shape and for the output head, with `tokens` rows (batch × sequence).
 *
 * @example
 * ```ts
 * import { modelConfigFor } from "../../model/mod.ts";
 * const config = modelConfigFor({ family: "dense", activation: "swiglu", hidden: 128, layers: 2, heads: 4, gatedWidth: 344, vocab: 256, maxPositions: 128 });
 * modelMatmulShapes(config, 2048).length; // 12: 3 products for each of 3 weight shapes and the head
 * ```
 */
export function modelMatmulShapes(config: ModelConfig, tokens: number): MatmulShape[] {
  const seen = new Set<string>();
  const shapes: MatmulShape[] = [];
  for (const spec of parameterSpecs(config)) {
    if (spec.kind !== "linear" || spec.shape.length !== 2) continue;
    const [inDim, outDim] = internalShape(spec);
    const key = `${inDim}x${outDim}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const tag = spec.name.replace(/^model\.layers\.\d+\./, "").replace(/\.weight$/, "");
    shapes.push(
      { label: `${tag} fwd X·W`, m: tokens, k: inDim, n: outDim, transposeA: false, transposeB: false },
      { label: `${tag} dX = dY·Wᵀ`, m: tokens, k: outDim, n: inDim, transposeA: false, transposeB: true },
      { label: `${tag} dW = Xᵀ·dY`, m: inDim, k: tokens, n: outDim, transposeA: true, transposeB: false },
    );
  }
  // The output head (tied or not) multiplies by the `[vocab, hidden]` table transposed.
  const [d, v] = [config.hidden_size, config.vocab_size];
  shapes.push(
    { label: "lm_head fwd X·Eᵀ", m: tokens, k: d, n: v, transposeA: false, transposeB: true },
    { label: "lm_head dX = dY·E", m: tokens, k: v, n: d, transposeA: false, transposeB: false },
    { label: "lm_head dE = dYᵀ·X", m: v, k: tokens, n: d, transposeA: true, transposeB: false },
  );
  return shapes;
}

/** A square `size`² product. */
export function squareShape(size: number): MatmulShape {
  return { label: `${size}²`, m: size, k: size, n: size, transposeA: false, transposeB: false };
}

/**
 * Times `shape` on the active backend: one untimed run (pipeline compile),
 * then the median of `reps` runs, each ending with a readback of one element
 * so the time covers the device work.
 *
 * @example
 * ```ts
 * import { initBackend } from "../../backend/mod.ts";
 * await initBackend("wasm");
 * const row = await timeMatmul(squareShape(64), 2);
 * console.log(row.gflops);
 * ```
 */
export async function timeMatmul(shape: MatmulShape, reps = 5): Promise<MatmulRow> {
  const a = tf.randomNormal(shape.transposeA ? [shape.k, shape.m] : [shape.m, shape.k]);
  const b = tf.randomNormal(shape.transposeB ? [shape.n, shape.k] : [shape.k, shape.n]);
  const times: number[] = [];
  try {
    for (let i = 0; i <= reps; i++) {
      const t0 = performance.now();
      const c = tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, shape.transposeA, shape.transposeB);
      const corner = c.slice([0, 0], [1, 1]);
      await corner.data();
      const ms = performance.now() - t0;
      tf.dispose([c, corner]);
      if (i > 0) times.push(ms);
    }
  } finally {
    tf.dispose([a, b]);
  }
  const ms = median(times);
  return { ...shape, ms, gflops: (2 * shape.m * shape.n * shape.k) / (ms / 1000) / 1e9 };
}
