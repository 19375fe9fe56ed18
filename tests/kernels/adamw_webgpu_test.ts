import assert from "node:assert/strict";
import { tf } from "../../src/backend/mod.ts";
import { adamwConstants, FUSED_ADAMW, fusedAdamW, hasFusedAdamW } from "../../src/kernels/adamw/mod.ts";
import { Rng } from "../../src/util/rng.ts";
import { BETAS, EPS, LR, unfusedAdamW as unfused, WD } from "./_adamw_unfused.ts";
import { backendTest, WEBGPU } from "../_backend_harness.ts";
import { assertClose, countDispatches, valuesOn } from "./_webgpu.ts";

// vec4 and scalar loads, a parameter without a gradient, one without decay.
const SHAPES = [[7, 5], [32], [1], [4, 3]];
const HAS_GRAD = [true, true, false, true];
const DECAY = [true, false, true, true];

function values(rng: Rng, shape: number[], scale: number): Float32Array {
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => scale * rng.normal());
}

/** Two steps' start values: p, m, v per parameter, and the gradients of each step. */
function problem() {
  const rng = new Rng(11);
  const state = SHAPES.map((s) => [values(rng, s, 1), values(rng, s, 0.1), values(rng, s, 0.01).map(Math.abs)]);
  const grads = [1, 2].map((t) => SHAPES.map((s, i) => HAS_GRAD[i] ? values(rng, s, t === 2 ? 1e-3 : 1) : null));
  return { state, grads };
}

/** Two steps with the fused kernel (or the unfused ops); every p, m, v after the last, flattened. */
function twoSteps(fused: boolean): tf.Tensor[] {
  const { state, grads } = problem();
  let now = state.map((xs, i) => xs.map((x) => tf.tensor(x, SHAPES[i])));
  for (let t = 1; t <= 2; t++) {
    const g = grads[t - 1].map((x, i) => x ? tf.tensor(x, SHAPES[i]) : null);
    now = fused
      ? fusedAdamW(
        now.map(([p, m, v], i) => ({ p, m, v, g: g[i], decay: DECAY[i] })),
        adamwConstants(BETAS, EPS, WD, LR, t),
      )
      : now.map(([p, m, v], i) => unfused(p, g[i], m, v, DECAY[i], t));
  }
  return now.flat();
}

backendTest("fused AdamW matches the unfused ops on webgpu and the cpu kernel, over two steps", WEBGPU, async () => {
  assert.ok(hasFusedAdamW("webgpu"), `${FUSED_ADAMW} not registered on webgpu`);
  const cpu = await valuesOn("cpu", () => twoSteps(true));
  const stock = await valuesOn("webgpu", () => twoSteps(false));
  const fused = await valuesOn("webgpu", () => twoSteps(true));
  fused.forEach((got, i) => {
    const what = `parameter ${Math.floor(i / 3)} ${"pmv"[i % 3]}`;
    assertClose(got, stock[i], 1e-6, `${what} vs webgpu stock ops`);
    assertClose(got, cpu[i], 1e-6, `${what} vs cpu fused`);
  });
});

backendTest("fused AdamW on webgpu: one dispatch per parameter, outputs in the parameters' shapes", WEBGPU, () => {
  const { state } = problem();
  const slots = state.map((xs, i) => {
    const [p, m, v] = xs.map((x) => tf.tensor(x, SHAPES[i]));
    return { p, m, v, g: HAS_GRAD[i] ? tf.onesLike(p) : null, decay: DECAY[i] };
  });
  const { result, dispatches } = countDispatches(() => fusedAdamW(slots, adamwConstants(BETAS, EPS, WD, LR, 1)));
  assert.equal(dispatches, SHAPES.length);
  result.forEach((out, i) => out.forEach((t) => assert.deepEqual(t.shape, SHAPES[i])));
  tf.dispose([...result.flat(), ...slots.flatMap((s) => [s.p, s.m, s.v, ...(s.g ? [s.g] : [])])]);
  return Promise.resolve();
});

backendTest("fused AdamW on webgpu names a gradient of the wrong shape", WEBGPU, () => {
  const [p, m, v, g] = [[3], [3], [3], [4]].map((s) => tf.zeros(s));
  assert.throws(
    () => fusedAdamW([{ p, m, v, g, decay: true }], adamwConstants(BETAS, EPS, WD, LR, 1)),
    /fused AdamW needs p0, m0, v0, g0 of one shape, got \[3\] and \[4\]/,
  );
  tf.dispose([p, m, v, g]);
  return Promise.resolve();
});
