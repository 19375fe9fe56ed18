import assert from "node:assert/strict";
import { tf } from "../../src/backend/mod.ts";
import { FUSED_PROJECTIONS, fusedProjections, projectionsFusable } from "../../src/kernels/projections/mod.ts";
import { hasKernel } from "../../src/kernels/registry.ts";
import { Rng } from "../../src/util/rng.ts";
import { backendTest, WEBGPU } from "../_backend_harness.ts";
import { assertClose, countDispatches, valuesOn } from "./_webgpu.ts";

/** [rows, d, widths]: edges off the 64-wide tiles, scalar outputs (a width not a multiple of 4), tile-sized ones. */
const CASES: [number, number, number[]][] = [
  [70, 33, [65, 17, 17]],
  [64, 64, [128, 64]],
  [5, 8, [12, 4, 6]],
  [70, 33, [65]],
  [64, 64, [4]],
];

function inputs(rows: number, d: number, widths: number[]): { x: tf.Tensor2D; ws: tf.Tensor2D[]; rs: tf.Tensor2D[] } {
  const rng = new Rng(41);
  const t = (r: number, c: number) => tf.tensor2d(Float32Array.from({ length: r * c }, () => rng.normal()), [r, c]);
  return { x: t(rows, d), ws: widths.map((n) => t(d, n)), rs: widths.map((n) => t(rows, n)) };
}

/** The outputs, and the gradients of Σi Σ ri·yi with respect to x and every wi. */
function run(rows: number, d: number, widths: number[], fused: boolean): tf.Tensor[] {
  const { x, ws, rs } = inputs(rows, d, widths);
  const project = (a: tf.Tensor2D, bs: tf.Tensor2D[]) =>
    fused ? fusedProjections(a, bs) : bs.map((b) => tf.matMul(a, b));
  const loss = (...args: tf.Tensor[]) => {
    const ys = project(args[0] as tf.Tensor2D, args.slice(1) as tf.Tensor2D[]);
    return tf.addN(ys.map((y, i) => tf.sum(tf.mul(y, rs[i]))));
  };
  return [...project(x, ws), ...tf.grads(loss)([x, ...ws])];
}

backendTest("grouped projections match separate products on webgpu and cpu, values and gradients", WEBGPU, async () => {
  assert.ok(hasKernel(FUSED_PROJECTIONS, "webgpu"), `${FUSED_PROJECTIONS} not registered on webgpu`);
  for (const [rows, d, widths] of CASES) {
    const cpu = await valuesOn("cpu", () => run(rows, d, widths, false));
    const got = await valuesOn("webgpu", () => run(rows, d, widths, true));
    const names = [...widths.map((_, i) => `y${i}`), "dx", ...widths.map((_, i) => `dw${i}`)];
    names.forEach((name, i) => assertClose(got[i], cpu[i], 1e-5, `${rows}×${d} by [${widths}]: ${name}`));
  }
});

for (const [widths, backward] of [[[65, 17, 17], 2], [[65, 17], 1], [[65], 1]] as const) {
  backendTest(
    `${widths.length} grouped projections on webgpu: one dispatch forward, ${backward} backward`,
    WEBGPU,
    async () => {
      const { x, ws, rs } = inputs(70, 33, [...widths]);
      const forward = countDispatches(() => fusedProjections(x, ws));
      assert.equal(forward.dispatches, 1);
      const loss = (...args: tf.Tensor[]) =>
        tf.addN(
          fusedProjections(args[0] as tf.Tensor2D, args.slice(1) as tf.Tensor2D[]).map((y, i) =>
            tf.sum(tf.mul(y, rs[i]))
          ),
        );
      // The loss's own ops dispatch too: count the backward beyond the same graph with plain products.
      const grads = countDispatches(() => tf.grads(loss)([x, ...ws]));
      const plainLoss = (...args: tf.Tensor[]) =>
        tf.addN(
          args.slice(1).map((w, i) => tf.sum(tf.mul(tf.matMul(args[0] as tf.Tensor2D, w as tf.Tensor2D), rs[i]))),
        );
      const plain = countDispatches(() => tf.grads(plainLoss)([x, ...ws]));
      // Plain: g forward and 2g backward products and g − 1 sums of dx.
      const g = widths.length;
      assert.equal(plain.dispatches - grads.dispatches, 3 * g + g - 1 - (1 + backward));
      tf.dispose([...forward.result, ...grads.result, ...plain.result, x, ...ws, ...rs]);
      await Promise.resolve();
    },
  );
}

backendTest("grouped projections take one to three float32 weights of x's width", WEBGPU, async () => {
  const x = tf.zeros([4, 3]) as tf.Tensor2D;
  const [a, b] = [tf.zeros([3, 5]), tf.zeros([2, 5])] as tf.Tensor2D[];
  assert.equal(projectionsFusable(x, [a]), true);
  assert.equal(projectionsFusable(x, [a, a, a]), true);
  assert.equal(projectionsFusable(x, [a, a, a, a]), false, "2g + 1 storage buffers must fit WebGPU's 8");
  assert.equal(projectionsFusable(x, []), false);
  assert.equal(projectionsFusable(x, [a, b]), false);
  assert.throws(() => fusedProjections(x, [a, b]), /fused projections: \[4,3\] by \[3,5\], \[2,5\] do not fit/);
  tf.dispose([x, a, b]);
  await Promise.resolve();
});
