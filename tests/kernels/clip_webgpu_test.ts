import assert from "node:assert/strict";
import { tf } from "../../src/backend/mod.ts";
import { FUSED_CLIP_BY_GLOBAL_NORM, fusedClipByGlobalNorm, hasFusedClip } from "../../src/kernels/clip/mod.ts";
import { SCALE_GROUP, SUM_GROUP } from "../../src/kernels/clip/webgpu.ts";
import { clipByGlobalNorm } from "../../src/model/optim/clip.ts";
import { Rng } from "../../src/util/rng.ts";
import { backendTest, WEBGPU, webgpuWorkgroupTests } from "../_backend_harness.ts";
import { assertClose, countDispatches, valuesOn } from "./_webgpu.ts";

// More than one sum group (chained sums), scale groups of scalar and (the last) vec4 loads, an empty gradient.
const SHAPES = [[7, 5], [32], [1], [0, 3], [4, 4], [3], [2, 6], [9], [16, 3], [8], [4, 2], [12]];

function gradients(scale: number): tf.Tensor[] {
  const rng = new Rng(8);
  return SHAPES.map((s) =>
    tf.tensor(Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => scale * rng.normal()), s)
  );
}

/** The unfused ops, as clip.ts computes them without the fused kernel (webgpu's Sum fails on an empty tensor). */
function stock(grads: tf.Tensor[], maxNorm: number): tf.Tensor[] {
  const norm = tf.sqrt(tf.sum(tf.stack(grads.filter((g) => g.size > 0).map((g) => tf.sum(tf.square(g))))));
  const scale = tf.minimum(tf.scalar(1), tf.div(tf.scalar(maxNorm), tf.add(norm, 1e-6)));
  return [...grads.map((g) => tf.mul(g, scale)), norm];
}

function fused(grads: tf.Tensor[], maxNorm: number): tf.Tensor[] {
  const { clipped, norm } = fusedClipByGlobalNorm(grads, maxNorm);
  return [...clipped, norm];
}

webgpuWorkgroupTests(
  (threads) => `fused clipping matches the unfused ops on webgpu and the cpu kernel (${threads})`,
  async () => {
    assert.ok(hasFusedClip("webgpu"), `${FUSED_CLIP_BY_GLOBAL_NORM} not registered on webgpu`);
    for (const [scale, maxNorm] of [[1, 1], [1e-3, 1], [0.5, 100]]) {
      const cpu = await valuesOn("cpu", () => fused(gradients(scale), maxNorm));
      const plain = await valuesOn("webgpu", () => stock(gradients(scale), maxNorm));
      const got = await valuesOn("webgpu", () => fused(gradients(scale), maxNorm));
      got.forEach((v, i) => {
        const what = `scale ${scale} maxNorm ${maxNorm} ${i < SHAPES.length ? `gradient ${i}` : "norm"}`;
        assertClose(v, plain[i], 2e-6, `${what} vs webgpu stock ops`);
        assertClose(v, cpu[i], 2e-6, `${what} vs cpu fused`);
      });
    }
  },
);

backendTest(
  "clipByGlobalNorm on webgpu: one kernel, a dispatch per sum group and per scale group",
  WEBGPU,
  async () => {
    const grads = gradients(1);
    const { result, dispatches } = countDispatches(() => clipByGlobalNorm(grads, 1));
    const nonEmpty = SHAPES.filter((s) => s.every((d) => d > 0)).length;
    // An empty gradient takes no dispatch (its output has no buffer).
    assert.equal(dispatches, Math.ceil(nonEmpty / SUM_GROUP) + Math.ceil(nonEmpty / SCALE_GROUP) + 1);
    result.clipped.forEach((t, i) => assert.deepEqual(t.shape, SHAPES[i]));
    assert.deepEqual(result.norm.shape, []);
    tf.dispose([...result.clipped, result.norm]);
    const profile = await tf.profile(() => tf.dispose(Object.values(clipByGlobalNorm(grads, 1)).flat()));
    assert.deepEqual(profile.kernels.map((k) => k.name), [FUSED_CLIP_BY_GLOBAL_NORM]);
    tf.dispose(grads);
  },
);
