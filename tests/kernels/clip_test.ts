import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend/mod.ts";
import { FUSED_CLIP_BY_GLOBAL_NORM, fusedClipByGlobalNorm, hasFusedClip } from "../../src/kernels/clip/mod.ts";
import { clipByGlobalNorm } from "../../src/model/optim/clip.ts";
import { Rng } from "../../src/util/rng.ts";

const rng = new Rng(8);
const random = (shape: number[], scale: number) =>
  tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => scale * rng.normal()), shape);

for (const backend of ["cpu", "wasm"] as const) {
  Deno.test(`${backend}: fused global-norm clipping equals the unfused ops and float64`, async () => {
    await initBackend(backend);
    assert.ok(hasFusedClip());
    for (const [scale, maxNorm] of [[1, 1], [1e-3, 1], [0.5, 100]]) {
      const grads = [random([7, 5], scale), random([33], scale), random([1], scale)];
      const values = await Promise.all(grads.map(async (g) => Array.from(await g.data())));
      const norm64 = Math.sqrt(values.flat().reduce((t, x) => t + x * x, 0));
      const factor64 = Math.min(1, maxNorm / (norm64 + 1e-6));
      const fused = fusedClipByGlobalNorm(grads, maxNorm);
      // The unfused ops, as clip.ts computes them without the fused kernel.
      const plainNorm = tf.sqrt(tf.sum(tf.stack(grads.map((g) => tf.sum(tf.square(g))))));
      const plainScale = tf.minimum(tf.scalar(1), tf.div(tf.scalar(maxNorm), tf.add(plainNorm, 1e-6)));
      assert.ok(Math.abs((await fused.norm.data())[0] - norm64) <= 1e-6 * norm64);
      assert.ok(Math.abs((await fused.norm.data())[0] - (await plainNorm.data())[0]) <= 1e-6 * norm64);
      for (let i = 0; i < grads.length; i++) {
        const [got, plain] = [await fused.clipped[i].data(), await tf.mul(grads[i], plainScale).data()];
        for (let j = 0; j < got.length; j++) {
          const want = values[i][j] * factor64;
          assert.ok(Math.abs(got[j] - want) <= 1e-6 * (1e-6 + Math.abs(want)), `${i}/${j}: ${got[j]} vs ${want}`);
          assert.ok(Math.abs(got[j] - plain[j]) <= 1e-6 * (1e-6 + Math.abs(want)));
        }
      }
      // clip.ts uses the fused kernel: one dispatch for all gradients.
      const profile = await tf.profile(() => tf.dispose(Object.values(clipByGlobalNorm(grads, maxNorm)).flat()));
      assert.deepEqual(profile.kernels.map((k) => k.name), [FUSED_CLIP_BY_GLOBAL_NORM]);
      tf.dispose([...grads, ...fused.clipped, fused.norm]);
    }
  });
}
