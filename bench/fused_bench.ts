/**
 * Fused model kernels against their stock-op compositions, forward +
 * backward, on each backend: RMSNorm (gradients for x and w) at x of
 * [2048, 512] and [8192, 2048], and mean softmax cross-entropy (gradient for
 * the logits) at logits of [2048, 256] (train-tiny's) and [8192, 2048].
 *
 * ```sh
 * deno bench -A bench/fused_bench.ts
 * FUSED_BENCH_BACKENDS=webgpu FUSED_BENCH_SIZES=small deno bench -A bench/fused_bench.ts
 * ```
 *
 * One process has one active backend at a time: the benches of a backend are
 * registered together and each switches to its backend (outside the timed
 * section). Every measured run ends by reading one element of each gradient,
 * which waits for the GPU on webgpu. A table of medians and the list of
 * skipped benches are printed when the run ends; on a software WebGPU adapter
 * (lavapipe) the large shapes are skipped unless FUSED_BENCH_SIZES names them.
 * @module
 */
import { type BackendName, initBackend, probeWebGPU, tf } from "../src/backend/mod.ts";
import { median } from "../src/bench/stats.ts";
import { fusedRmsNorm } from "../src/kernels/rms_norm/mod.ts";
import { fusedSoftmaxCrossEntropy } from "../src/kernels/cross_entropy/mod.ts";
import { rmsNormStock } from "../src/model/rmsnorm.ts";
import { softmaxCrossEntropyStock } from "../src/model/_ops.ts";

type Op = "rmsnorm" | "xent";
type Variant = "stock" | "fused";
const VARIANTS: Variant[] = ["stock", "fused"];
const EPS = 1e-5;

const SHAPES: Record<Op, { small: [number, number]; large: [number, number] }> = {
  rmsnorm: { small: [2048, 512], large: [8192, 2048] },
  xent: { small: [2048, 256], large: [8192, 2048] },
};

const adapter = await probeWebGPU();
const backends = (Deno.env.get("FUSED_BENCH_BACKENDS") ?? "cpu,wasm,webgpu").split(",").map((s) => s.trim());
const sizesAsked = Deno.env.get("FUSED_BENCH_SIZES");
const sizes = (sizesAsked ?? "small,large").split(",").map((s) => s.trim()) as ("small" | "large")[];

function skipReason(backend: string, size: "small" | "large", op: Op, variant: Variant): string | null {
  if (backend === "webgpu" && adapter === null) return "no WebGPU adapter";
  if (op === "xent" && variant === "fused" && backend === "wasm") return "no fused cross-entropy on wasm";
  if (backend === "webgpu" && adapter?.isFallback && size === "large" && sizesAsked === undefined) {
    return "software adapter; FUSED_BENCH_SIZES=large runs it";
  }
  return null;
}

/** Samples per bench: fewer at the large shape, where one cpu run takes about a second. */
function sampleCount(backend: string, [rows]: [number, number]): { n: number; warmup: number } {
  if (rows <= 2048) return { n: 15, warmup: 2 };
  return backend === "cpu" ? { n: 3, warmup: 1 } : { n: 5, warmup: 1 };
}

interface Inputs {
  key: string;
  x: tf.Tensor2D;
  w: tf.Variable<tf.Rank.R1>;
  labels: tf.Tensor1D;
}

let inputs: Inputs | null = null;

/** The inputs of one backend and shape, made once and kept until the next pair. */
async function inputsFor(backend: string, [rows, n]: [number, number]): Promise<Inputs> {
  const key = `${backend} ${rows}x${n}`;
  if (inputs?.key === key) return inputs;
  if (inputs) tf.dispose([inputs.x, inputs.w, inputs.labels]);
  inputs = null;
  if (tf.getBackend() !== backend) await initBackend(backend as BackendName);
  inputs = {
    key,
    x: tf.randomNormal([rows, n], 0, 1, "float32", 1),
    w: tf.variable(tf.randomNormal([n], 1, 0.1, "float32", 2) as tf.Tensor1D),
    labels: tf.randomUniform([rows], 0, n, "int32", 3),
  };
  return inputs;
}

function step(op: Op, variant: Variant, t: Inputs): tf.Tensor[] {
  if (op === "xent") {
    const f = variant === "fused" ? fusedSoftmaxCrossEntropy : softmaxCrossEntropyStock;
    return [tf.grad((x: tf.Tensor) => f(x as tf.Tensor2D, t.labels))(t.x)];
  }
  const f = variant === "fused" ? fusedRmsNorm : rmsNormStock;
  return tf.grads((x: tf.Tensor, w: tf.Tensor) => f(x, w, EPS))([t.x, t.w]);
}

/** Waits for every gradient by reading one element of each. */
async function settle(outputs: tf.Tensor[]): Promise<void> {
  for (const o of outputs) {
    const first = tf.slice(o, new Array(o.rank).fill(0), new Array(o.rank).fill(1));
    await first.data();
    first.dispose();
  }
}

const samples = new Map<string, number[]>();
const skipped: string[] = [];

const OPS: Op[] = ["rmsnorm", "xent"];
/** [op, shape] pairs in run order: one backend's inputs are made once per shape. */
const cases = sizes.flatMap((size) => OPS.map((op) => ({ op, size, shape: SHAPES[op][size] })));

for (const backend of backends) {
  for (const { op, size, shape } of cases) {
    const label = `${op} ${shape.join("x")}`;
    for (const variant of VARIANTS) {
      const skip = skipReason(backend, size, op, variant);
      if (skip) skipped.push(`${backend} ${label} ${variant}: ${skip}`);
      Deno.bench({
        name: `${backend} ${op} ${variant} ${shape.join("x")}${skip ? ` (skipped: ${skip})` : ""}`,
        group: `${backend} ${label}`,
        baseline: variant === "stock",
        ignore: skip !== null,
        ...sampleCount(backend, shape),
        async fn(b) {
          const t = await inputsFor(backend, shape);
          b.start();
          const start = performance.now();
          const grads = step(op, variant, t);
          await settle(grads);
          const ms = performance.now() - start;
          b.end();
          tf.dispose(grads);
          const key = `${backend}|${label}|${variant}`;
          samples.set(key, [...(samples.get(key) ?? []), ms]);
        },
      });
    }
  }
}

function summary(): string {
  const lines = [
    "| backend | op | shape | stock ms | fused ms | stock/fused |",
    "| --- | --- | --- | --- | --- | --- |",
  ];
  for (const backend of backends) {
    for (const { op, shape } of cases) {
      // Deno makes 1 + max(1, warmup) calls before the n it measures; the median is of those n.
      const m = (v: Variant) => {
        const s = samples.get(`${backend}|${op} ${shape.join("x")}|${v}`);
        return s ? median(s.slice(-sampleCount(backend, shape).n)) : Number.NaN;
      };
      const [stock, fused] = VARIANTS.map(m);
      if (Number.isNaN(stock) && Number.isNaN(fused)) continue;
      const cell = (v: number) => (Number.isNaN(v) ? "–" : v.toFixed(2));
      lines.push(
        `| ${backend} | ${op} | ${shape.join("x")} | ${cell(stock)} | ${cell(fused)} | ${(stock / fused).toFixed(2)} |`,
      );
    }
  }
  return lines.join("\n");
}

globalThis.addEventListener("unload", () => {
  if (samples.size > 0) console.log(`\nmedians (fwd+bwd, ms):\n${summary()}`);
  if (skipped.length > 0) console.log(`\nskipped:\n${skipped.map((line) => `- ${line}`).join("\n")}`);
});
