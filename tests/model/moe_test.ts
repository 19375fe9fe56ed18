import assert from "node:assert/strict";
import type { ActivationSpec } from "../../src/activations/mod.ts";
import { getActivation } from "../../src/activations/mod.ts";
import { initBackend, tf } from "../../src/backend/mod.ts";
import { moeLayer, type MoeWeights, routeOnHost } from "../../src/model/moe.ts";
import { Rng } from "../../src/util/rng.ts";

await initBackend("cpu");

const softmax = (v: number[]) => {
  const m = Math.max(...v);
  const e = v.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
};
const lse = (v: number[]) => Math.log(v.reduce((a, x) => a + Math.exp(x), 0));

/** Records how many rows each expert MLP call sees. */
function countingRelu(seen: number[]): ActivationSpec {
  return { ...getActivation("relu"), apply: (x) => (seen.push(x.shape[0]), tf.relu(x)) };
}

Deno.test("hand-computed case: routing, output, load-balancing and z-loss", async () => {
  // Router [d=2, E=3] stored [in, out]; expert e computes (e + 1) · relu(x).
  const x = tf.tensor2d([[2, 0], [0, 1], [1, 3]]);
  const router = tf.tensor2d([[1, 0, 0.5], [0, 1, 0.5]]);
  const eye = tf.eye(2) as tf.Tensor2D;
  const weights: MoeWeights = {
    router,
    experts: [1, 2, 3].map((s) => ({ up: tf.mul(eye, s) as tf.Tensor2D, down: eye })),
  };
  const seen: number[] = [];
  const out = moeLayer(x, weights, countingRelu(seen), undefined, { topK: 2, normTopK: false, dispatch: "ragged" });
  const logits = [[2, 0, 1], [0, 1, 0.5], [1, 3, 2]];
  const chosen = [[0, 2], [1, 2], [1, 2]];
  const xs = [[2, 0], [0, 1], [1, 3]];
  const probs = logits.map(softmax);
  const expected = xs.map((row, t) =>
    row.map((v) => chosen[t].reduce((acc, e) => acc + probs[t][e] * (e + 1) * Math.max(0, v), 0))
  );
  const got = await out.y.array();
  expected.flat().forEach((v, i) => assert.ok(Math.abs(got.flat()[i] - v) < 1e-6));
  // Experts see only their tokens: counts 1, 2, 3 (not 3 tokens each).
  assert.deepEqual(seen, [1, 2, 3]);
  assert.deepEqual((await out.ids.array()).map((c) => [...c].sort()), chosen);
  const counts = [1, 2, 3];
  const meanP = [0, 1, 2].map((e) => probs.reduce((a, p) => a + p[e], 0) / 3);
  const lb = (3 / (3 * 2)) * counts.reduce((a, c, e) => a + c * meanP[e], 0);
  const z = logits.reduce((a, l) => a + lse(l) ** 2, 0) / 3;
  assert.ok(Math.abs((await out.loadBalancing.data())[0] - lb) < 1e-6);
  assert.ok(Math.abs((await out.zLoss.data())[0] - z) < 1e-5);
  tf.dispose([x, router, eye, out.y, out.loadBalancing, out.zLoss, out.ids, ...weights.experts.map((e) => e.up)]);
});

Deno.test("normalised top-k: weights of each token sum to 1", async () => {
  const x = tf.tensor2d([[2, 0], [0, 1], [1, 3]]);
  const router = tf.tensor2d([[1, 0, 0.5], [0, 1, 0.5]]);
  const eye = tf.eye(2) as tf.Tensor2D;
  // All experts identity: the output is relu(x) · Σ weights = relu(x) exactly when normalised.
  const weights: MoeWeights = { router, experts: [0, 1, 2].map(() => ({ up: eye, down: eye })) };
  for (const dispatch of ["ragged", "grouped"] as const) {
    const out = moeLayer(x, weights, getActivation("relu"), undefined, { topK: 2, normTopK: true, dispatch });
    assert.deepEqual((await out.y.array()).flat().map((v) => Math.round(v * 1e6) / 1e6), [2, 0, 0, 1, 1, 3]);
    tf.dispose([out.y, out.loadBalancing, out.zLoss, out.ids]);
  }
  tf.dispose([x, router, eye]);
});

Deno.test("every token goes to exactly k distinct experts and the layer equals the dense computation", async () => {
  const rng = new Rng(3);
  const [T, d, w, E, k] = [50, 6, 5, 8, 3];
  const rand = (shape: number[]) =>
    tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng.normal()), shape);
  const x = rand([T, d]) as tf.Tensor2D;
  const weights: MoeWeights = {
    router: rand([d, E]) as tf.Tensor2D,
    experts: Array.from({ length: E }, () => ({ up: rand([d, w]) as tf.Tensor2D, down: rand([w, d]) as tf.Tensor2D })),
  };
  const seen: number[] = [];
  const out = moeLayer(x, weights, countingRelu(seen), undefined, { topK: k, normTopK: false, dispatch: "ragged" });
  const ids = await out.ids.data() as Int32Array;
  assert.equal(ids.length, T * k);
  for (let t = 0; t < T; t++) assert.equal(new Set(ids.subarray(t * k, (t + 1) * k)).size, k);
  assert.equal(seen.reduce((a, b) => a + b, 0), T * k);
  // Dense reference: every expert on every token, masked to the top-k, weighted by the probabilities.
  const reference = tf.tidy(() => {
    const probs = tf.softmax(tf.matMul(x, weights.router));
    const mask = tf.sum(tf.oneHot(tf.tensor2d(ids, [T, k], "int32"), E), 1);
    const gates = tf.mul(probs, mask);
    const all = weights.experts.map((e, i) =>
      tf.mul(tf.matMul(tf.relu(tf.matMul(x, e.up)), e.down), tf.slice(gates, [0, i], [T, 1]))
    );
    return tf.addN(all);
  });
  const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(out.y, reference))));
  assert.ok((await diff.data())[0] < 1e-5);
  // The selected experts are the k most probable ones.
  const probs = await tf.softmax(tf.matMul(x, weights.router)).array() as number[][];
  for (let t = 0; t < T; t++) {
    const kth = Math.min(...Array.from(ids.subarray(t * k, (t + 1) * k), (e) => probs[t][e]));
    const others = probs[t].filter((_, e) => !ids.subarray(t * k, (t + 1) * k).includes(e));
    assert.ok(others.every((p) => p <= kth));
  }
});

Deno.test("routeOnHost groups assignments by expert and rejects bad routings", () => {
  const r = routeOnHost(new Int32Array([2, 0, 1, 2, 0, 1]), 3, 2);
  assert.deepEqual(Array.from(r.counts), [2, 2, 2]);
  // Sorted order: expert 0 gets assignments 1 and 4, expert 1 gets 2 and 5, expert 2 gets 0 and 3.
  assert.deepEqual(Array.from(r.perm), [1, 4, 2, 5, 0, 3]);
  r.perm.forEach((a, j) => assert.equal(r.inverse[a], j));
  assert.throws(() => routeOnHost(new Int32Array([1, 1]), 3, 2), /twice/);
  assert.throws(() => routeOnHost(new Int32Array([0, 3]), 3, 2), /out of range/);
  assert.throws(() => routeOnHost(new Int32Array([0, 1, 2]), 3, 2), /multiple/);
});
