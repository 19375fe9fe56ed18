import assert from "node:assert/strict";
import { tf } from "../../src/backend/mod.ts";
import {
  adamwConstants,
  FLAT_ADAMW,
  flatAdamW,
  fusedAdamW,
  hasFlatAdamW,
  hasFusedAdamW,
} from "../../src/kernels/adamw/mod.ts";
import { clipByGlobalNorm } from "../../src/model/optim/clip.ts";
import { Rng } from "../../src/util/rng.ts";
import { BETAS, EPS, LR, WD } from "./_adamw_unfused.ts";
import { backendTest, WEBGPU } from "../_backend_harness.ts";
import { assertClose, countDispatches, valuesOn } from "./_webgpu.ts";

// Decaying parameters first (the flat layout's order); sizes not multiples of 4 shift every later one off vec4
// alignment; one parameter has no gradient.
const SHAPES = [[7, 5], [1], [4, 3], [32], [3]];
const HAS_GRAD = [true, true, false, true, true];
const DECAY_COUNT = 3;

function values(rng: Rng, shape: number[], scale: number): Float32Array {
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => scale * rng.normal());
}

/** Three steps (the first two clip, the last does not); every parameter and moment after them. */
function threeSteps(flat: boolean, maxNorms: (number | null)[]): tf.Tensor[] {
  const rng = new Rng(5);
  let ps = SHAPES.map((s) => tf.tensor(values(rng, s, 1), s));
  const grads = maxNorms.map(() => SHAPES.map((s, i) => HAS_GRAD[i] ? tf.tensor(values(rng, s, 2), s) : null));
  const total = SHAPES.reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0);
  let [m, v] = [
    tf.zeros([Math.ceil(total / 4) * 4]) as tf.Tensor1D,
    tf.zeros([Math.ceil(total / 4) * 4]) as tf.Tensor1D,
  ];
  let moments = SHAPES.map((s) => [tf.zeros(s), tf.zeros(s)]);
  const norms: tf.Tensor[] = [];
  maxNorms.forEach((maxNorm, t) => {
    const c = adamwConstants(BETAS, EPS, WD, LR, t + 1);
    if (flat) {
      const next = flatAdamW(ps.map((p, i) => ({ p, g: grads[t][i] })), m, v, DECAY_COUNT, c, maxNorm);
      [ps, m, v] = [next.params, next.m, next.v];
      norms.push(next.norm);
      return;
    }
    const present = grads[t].flatMap((g, i) => g ? [i] : []);
    const { clipped, norm } = clipByGlobalNorm(present.map((i) => grads[t][i]!), maxNorm);
    norms.push(norm);
    const g = (i: number) => present.includes(i) ? clipped[present.indexOf(i)] : null;
    const next = fusedAdamW(
      ps.map((p, i) => ({ p, m: moments[i][0], v: moments[i][1], g: g(i), decay: i < DECAY_COUNT })),
      c,
    );
    ps = next.map((x) => x[0]);
    moments = next.map((x) => [x[1], x[2]]);
  });
  const flatMoments = flat ? [m, v] : [0, 1].map((k) => {
    const pieces = moments.map((x) => tf.reshape(x[k], [x[k].size]));
    return tf.concat([...pieces, tf.zeros([m.size - total])]);
  });
  return [...ps, ...flatMoments, ...norms];
}

backendTest("flat AdamW with clipping matches clipping + fused AdamW on cpu, over three steps", WEBGPU, async () => {
  assert.ok(hasFlatAdamW("webgpu"), `${FLAT_ADAMW} not registered on webgpu`);
  assert.ok(hasFusedAdamW("cpu"));
  const maxNorms = [0.5, 1e3, null];
  const cpu = await valuesOn("cpu", () => threeSteps(false, maxNorms));
  const flat = await valuesOn("webgpu", () => threeSteps(true, maxNorms));
  const names = [...SHAPES.map((_, i) => `p${i}`), "m", "v", "norm 1", "norm 2", "norm 3"];
  flat.forEach((got, i) => assertClose(got, cpu[i], 2e-6, names[i]));
});

backendTest("flat AdamW on webgpu: two dispatches whatever the parameter count", WEBGPU, () => {
  for (const count of [1, 20]) {
    const ps = Array.from({ length: count }, (_, i) => tf.ones([i + 1, 3]));
    const total = ps.reduce((n, p) => n + p.size, 0);
    const [m, v] = [tf.zeros([Math.ceil(total / 4) * 4]), tf.zeros([Math.ceil(total / 4) * 4])] as tf.Tensor1D[];
    const c = adamwConstants(BETAS, EPS, WD, LR, 1);
    const { result, dispatches } = countDispatches(() => flatAdamW(ps.map((p) => ({ p, g: p })), m, v, 0, c, 1));
    assert.equal(dispatches, 2, `${count} parameters`);
    result.params.forEach((p, i) => assert.deepEqual(p.shape, ps[i].shape));
    assert.deepEqual(result.norm.shape, []);
    tf.dispose([...ps, m, v, ...result.params, result.m, result.v, result.norm]);
  }
  return Promise.resolve();
});

backendTest("flat AdamW on webgpu names moments of the wrong length", WEBGPU, () => {
  const [p, m, v] = [tf.zeros([5]), tf.zeros([5]), tf.zeros([8])] as tf.Tensor1D[];
  assert.throws(
    () => flatAdamW([{ p, g: null }], m, v, 1, adamwConstants(BETAS, EPS, WD, LR, 1), null),
    /flat AdamW needs m and v of shape \[8\], got \[5\] and \[8\]/,
  );
  tf.dispose([p, m, v]);
  return Promise.resolve();
});
