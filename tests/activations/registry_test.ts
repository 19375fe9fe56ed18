import assert from "node:assert/strict";
import { tf } from "../../src/backend/mod.ts";
import {
  ACTIVATION_NAMES,
  activationFromHf,
  getActivation,
  NON_GATED_WIDTH_MULTIPLIER,
  POLY_NORM,
  POLY_RELU,
} from "../../src/activations/mod.ts";
import { UsageError } from "../../src/util/errors.ts";
import { maxRowError } from "../_f64.ts";
import { useBackend } from "../_backend_harness.ts";
import { polyNorm64 } from "./_f64.ts";
import { coefficientsFromPyTorch, coefficientsToPyTorch } from "./_pytorch.ts";

Deno.test("the registry lists every activation, with the paper's parameter-matched widths", () => {
  const paper = ["gelu", "polynorm", "polyrelu", "relu", "relu2", "silu", "swiglu"];
  // The paper's activations are all there (a new one added to the table needs no edit here).
  assert.deepEqual(paper.filter((a) => !(ACTIVATION_NAMES as readonly string[]).includes(a)), []);
  assert.equal(NON_GATED_WIDTH_MULTIPLIER, 1.5);
  // 8256 / 5504 dense and 1536 / 1024 per MoE expert.
  assert.equal(5504 * NON_GATED_WIDTH_MULTIPLIER, 8256);
  assert.equal(1024 * NON_GATED_WIDTH_MULTIPLIER, 1536);
  for (const name of ACTIVATION_NAMES) {
    const spec = getActivation(name);
    assert.equal(spec.name, name);
    assert.equal(spec.widthMultiplier, spec.gated ? 1 : NON_GATED_WIDTH_MULTIPLIER, `${name}: parameter-matched`);
  }
  for (const name of paper) {
    const spec = getActivation(name);
    assert.equal(spec.gated, name === "swiglu");
    assert.equal(spec.widthMultiplier, name === "swiglu" ? 1 : 1.5);
    assert.equal(spec.learnable, name === "polyrelu" || name === "polynorm");
    if (!spec.learnable) assert.deepEqual(spec.initCoefficients(3), []);
  }
});

Deno.test("PolyCom coefficients start at the official [0, 1/3, 1/3, 1/3]", () => {
  for (const name of ["polyrelu", "polynorm"]) {
    assert.deepEqual(getActivation(name).initCoefficients(3), [0, 1 / 3, 1 / 3, 1 / 3]);
    assert.deepEqual(getActivation(name).initCoefficients(2), [0, 1 / 2, 1 / 2]);
  }
});

Deno.test("Hugging Face hidden_act names map both ways", () => {
  const expected: Record<string, string> = {
    swiglu: "silu",
    gelu: "gelu",
    relu: "relu",
    relu2: "relu2",
    silu: "silu_nongated",
    polyrelu: "polyrelu",
    polynorm: "polynorm",
  };
  for (const [name, hf] of Object.entries(expected)) {
    assert.equal(getActivation(name).hfName, hf);
    assert.equal(activationFromHf(hf).name, name);
  }
  for (const name of ACTIVATION_NAMES) assert.equal(activationFromHf(getActivation(name).hfName).name, name);
  assert.throws(() => getActivation("nope"), UsageError);
  assert.throws(() => activationFromHf("swish"), UsageError);
});

Deno.test("PyTorch's weight[0..r-1] and bias map to a = [bias, weight[r-1], ..., weight[0]]", () => {
  assert.deepEqual(coefficientsFromPyTorch([0.5, 0.3, 0.2], 0.1), [0.1, 0.2, 0.3, 0.5]);
  assert.deepEqual(coefficientsToPyTorch([0.1, 0.2, 0.3, 0.5]), { weight: [0.5, 0.3, 0.2], bias: 0.1 });
  const a = [0.25, -1, 2, 3, 4];
  const { weight, bias } = coefficientsToPyTorch(a);
  assert.deepEqual(coefficientsFromPyTorch(weight, bias), a);
  // The official forward: weight[0]·N(x³) + weight[1]·N(x²) + weight[2]·N(x) + bias.
  const x = [1, -2, 0.5, 3];
  const pt = { weight: [0.7, -0.4, 0.9], bias: 0.05 };
  const norm = (z: number[]) => {
    const rms = Math.sqrt(z.reduce((s, v) => s + v * v, 0) / z.length + 1e-6);
    return z.map((v) => v / rms);
  };
  const [n3, n2, n1] = [3, 2, 1].map((p) => norm(x.map((v) => v ** p)));
  const official = x.map((_, j) => pt.weight[0] * n3[j] + pt.weight[1] * n2[j] + pt.weight[2] * n1[j] + pt.bias);
  const ours = polyNorm64([x], coefficientsFromPyTorch(pt.weight, pt.bias), 1e-6)[0];
  assert.ok(maxRowError(ours, official, 4) < 1e-12);
  assert.throws(() => coefficientsFromPyTorch([], 0), UsageError);
  assert.throws(() => coefficientsToPyTorch([1]), UsageError);
});

Deno.test("registry apply: gated SwiGLU needs up, PolyCom needs coefficients and runs the fused kernels", async () => {
  await useBackend("cpu");
  const x = tf.tensor2d([[1, -2, 3, 0.5], [0, 0, 0, 0]]);
  const a = tf.tensor1d([0.1, 1 / 3, 1 / 3, 1 / 3]);
  assert.throws(() => getActivation("swiglu").apply(x));
  assert.throws(() => getActivation("polynorm").apply(x));
  assert.deepEqual(
    await getActivation("swiglu").apply(x, undefined, x).data(),
    await tf.mul(tf.mul(x, tf.sigmoid(x)), x).data(),
  );
  for (const [name, kernel] of [["polynorm", POLY_NORM], ["polyrelu", POLY_RELU]]) {
    const profile = await tf.profile(() => getActivation(name).apply(x, a));
    assert.ok(profile.kernels.some((k) => k.name === kernel), `${name} did not run ${kernel}`);
  }
  const y = await getActivation("polynorm").apply(x, a).data();
  const want = polyNorm64([[1, -2, 3, 0.5], [0, 0, 0, 0]], [0.1, 1 / 3, 1 / 3, 1 / 3], 1e-6).flat();
  assert.ok(maxRowError(y, want, 4) < 1e-6);
  for (const name of ["gelu", "relu", "relu2", "silu"]) {
    assert.deepEqual(getActivation(name).apply(x).shape, [2, 4]);
  }
});
