/**
 * The AdamW recipe the fused-AdamW tests use and the unfused update, op by
 * op, as src/model/optim/adamw.ts computes it without the fused kernel: the
 * reference both the cpu/wasm and the webgpu tests compare the kernel with.
 * @module
 */
import { tf } from "../../src/backend/mod.ts";

/** (β1, β2) of the tests. */
export const BETAS: [number, number] = [0.9, 0.95];
/** eps, weight decay and learning rate of the tests. */
export const EPS = 1e-8, WD = 0.1, LR = 3e-3;

/** One unfused AdamW step (`t` 1-based): the new [p, m, v]. */
export function unfusedAdamW(p: tf.Tensor, g: tf.Tensor | null, m: tf.Tensor, v: tf.Tensor, decay: boolean, t: number) {
  const [b1, b2] = BETAS;
  const [B1, B1c, B2, B2c, BC2, E, STEP, DECAY] = [
    b1,
    1 - b1,
    b2,
    1 - b2,
    Math.sqrt(1 - Math.pow(b2, t)),
    EPS,
    LR / (1 - Math.pow(b1, t)),
    1 - LR * WD,
  ].map((x) => tf.scalar(x));
  const m1 = g ? tf.add(tf.mul(m, B1), tf.mul(g, B1c)) : tf.mul(m, B1);
  const v1 = g ? tf.add(tf.mul(v, B2), tf.mul(tf.square(g), B2c)) : tf.mul(v, B2);
  const denom = tf.add(tf.div(tf.sqrt(v1), BC2), E);
  const decayed = decay ? tf.mul(p, DECAY) : p;
  return [tf.sub(decayed, tf.mul(tf.div(m1, denom), STEP)), m1, v1];
}
