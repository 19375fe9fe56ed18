/**
 * Activation benchmarks: forward + backward (gradients for every input) of
 * SwiGLU's activation, fused PolyNorm, unfused (stock-op) PolyNorm and fused
 * PolyReLU, on each backend, at the same parameter budget.
 *
 * Convention: a shape [rows, h] is SwiGLU's hidden width h, so SwiGLU's
 * activation gets gate and up of [rows, h] each, and the non-gated PolyCom
 * activations get x of [rows, 1.5·h] (the paper's 8256 vs 5504). The two
 * shapes are [2048, 512] (PolyCom 2048×768) and [8192, 2048] (8192×3072).
 *
 * ```sh
 * deno bench -A bench/activations_bench.ts
 * ACT_BENCH_BACKENDS=wasm,webgpu ACT_BENCH_SHAPES=2048x512 deno bench -A bench/activations_bench.ts
 * ```
 *
 * One process has one active backend at a time: the benches of a backend are
 * registered together and each switches to its backend (outside the timed
 * section). Every measured run ends by reading one element of each gradient,
 * which waits for the GPU on webgpu. A table of medians, with the two ratios
 * the goal is about, and the list of skipped benches with their reasons are
 * printed when the run ends (unfused PolyNorm at the large shape is skipped
 * on wasm, whose heap it overflows, and on cpu, where it takes minutes).
 * @module
 */
import { type BackendName, initBackend, probeWebGPU, tf } from "../src/backend/mod.ts";
import { median } from "../src/bench/stats.ts";
import { polyNorm, polyNormReference, polyReLU, swiglu } from "../src/activations/mod.ts";

type Variant = "swiglu" | "polynorm fused" | "polynorm unfused" | "polyrelu fused";
const VARIANTS: Variant[] = ["swiglu", "polynorm fused", "polynorm unfused", "polyrelu fused"];

const ALL_SHAPES: [number, number][] = [[2048, 512], [8192, 2048]];
const POLY_ORDER = 3;

const adapter = await probeWebGPU();
const backends = (Deno.env.get("ACT_BENCH_BACKENDS") ?? "cpu,wasm,webgpu").split(",").map((s) => s.trim());
const shapes = ALL_SHAPES.filter(([rows, h]) =>
  (Deno.env.get("ACT_BENCH_SHAPES") ?? "2048x512,8192x2048").split(",").includes(`${rows}x${h}`)
);

/**
 * Why a variant cannot run, or null. The unfused composition keeps about 40
 * tensors of rows·1.5h floats alive for its gradient: at 8192×3072 that is
 * over the 4 GiB wasm heap, and tfjs-backend-wasm aborts for good; on cpu it
 * would take minutes.
 */
function skipReason(backend: string, [rows, h]: [number, number], variant: Variant): string | null {
  if (backend === "webgpu" && adapter === null) return "no WebGPU adapter";
  if (variant !== "polynorm unfused" || rows * h * 1.5 <= 8e6) return null;
  if (backend === "wasm") return "over the 4 GiB wasm heap";
  // The stock ops take ~6 s a run at 2048×768 on cpu, so ~100 s here, times the 3 runs deno bench makes.
  if (backend === "cpu") return "~100 s a run on tfjs-backend-cpu; the ratio is measured at the small shape";
  return null;
}

/** Samples per bench: fewer where one run takes seconds (cpu at the large shape, unfused on webgpu). */
function sampleCount(backend: string, [rows]: [number, number], variant: Variant): { n: number; warmup: number } {
  const large = rows > 2048;
  if (backend === "cpu") {
    if (variant === "polynorm unfused") return large ? { n: 1, warmup: 0 } : { n: 3, warmup: 1 };
    return large ? { n: 2, warmup: 0 } : { n: 7, warmup: 1 };
  }
  if (variant === "polynorm unfused") return large ? { n: 2, warmup: 0 } : { n: 5, warmup: 1 };
  return large ? { n: 5, warmup: 1 } : { n: 15, warmup: 2 };
}

interface Inputs {
  key: string;
  gate: tf.Tensor2D;
  up: tf.Tensor2D;
  x: tf.Tensor2D;
  a: tf.Variable<tf.Rank.R1>;
}

let inputs: Inputs | null = null;

/** The inputs of one backend and shape, made once and kept until the next pair. */
async function inputsFor(backend: string, [rows, h]: [number, number]): Promise<Inputs> {
  const key = `${backend} ${rows}x${h}`;
  if (inputs?.key === key) return inputs;
  if (inputs) tf.dispose([inputs.gate, inputs.up, inputs.x, inputs.a]);
  inputs = null;
  if (tf.getBackend() !== backend) await initBackend(backend as BackendName);
  const width = h * 1.5;
  inputs = {
    key,
    gate: tf.randomNormal([rows, h], 0, 1, "float32", 1),
    up: tf.randomNormal([rows, h], 0, 1, "float32", 2),
    x: tf.randomNormal([rows, width], 0, 1, "float32", 3),
    a: tf.variable(tf.tensor1d([0, 1 / 3, 1 / 3, 1 / 3].slice(0, POLY_ORDER + 1))),
  };
  return inputs;
}

/** Forward + backward of one variant; returns the gradients. */
function step(variant: Variant, t: Inputs): tf.Tensor[] {
  switch (variant) {
    case "swiglu":
      return tf.grads((g: tf.Tensor, u: tf.Tensor) => swiglu(g, u))([t.gate, t.up]);
    case "polynorm fused":
      return tf.grads((x: tf.Tensor, a: tf.Tensor) => polyNorm(x, a as tf.Tensor1D))([t.x, t.a]);
    case "polynorm unfused":
      return tf.grads((x: tf.Tensor, a: tf.Tensor) => polyNormReference(x, a as tf.Tensor1D))([t.x, t.a]);
    case "polyrelu fused":
      return tf.grads((x: tf.Tensor, a: tf.Tensor) => polyReLU(x, a as tf.Tensor1D))([t.x, t.a]);
  }
}

/** Waits for every gradient by reading one element of each. */
async function settle(outputs: tf.Tensor[]): Promise<void> {
  for (const o of outputs) {
    const first = tf.slice(o, new Array(o.rank).fill(0), new Array(o.rank).fill(1));
    await first.data();
    first.dispose();
  }
}

function benchName(variant: Variant, [rows, h]: [number, number]): string {
  return variant === "swiglu" ? `swiglu act gate,up ${rows}x${h}` : `${variant} ${rows}x${h * 1.5} (=1.5h)`;
}

const samples = new Map<string, number[]>();
/** "backend shape variant: reason" for every bench that is not run (deno bench does not list them). */
const skipped: string[] = [];

for (const backend of backends) {
  for (const shape of shapes) {
    const group = `${backend} h=${shape[1]} rows=${shape[0]}`;
    for (const variant of VARIANTS) {
      const skip = skipReason(backend, shape, variant);
      const name = `${backend} ${benchName(variant, shape)}${skip ? ` (skipped: ${skip})` : ""}`;
      if (skip) skipped.push(`${backend} ${shape.join("x")} ${variant}: ${skip}`);
      Deno.bench({
        name,
        group,
        baseline: variant === "swiglu",
        ignore: skip !== null,
        ...sampleCount(backend, shape, variant),
        async fn(b) {
          const t = await inputsFor(backend, shape);
          b.start();
          const start = performance.now();
          const grads = step(variant, t);
          await settle(grads);
          const ms = performance.now() - start;
          b.end();
          tf.dispose(grads);
          const key = `${backend}|${shape.join("x")}|${variant}`;
          samples.set(key, [...(samples.get(key) ?? []), ms]);
        },
      });
    }
  }
}

/** Median ms of every variant over its measured runs, and the two ratios of the goal. */
function summary(): string {
  const lines = [
    "| backend | shape (SwiGLU h) | swiglu ms | polynorm fused ms | polynorm unfused ms | polyrelu fused ms | fused/swiglu | unfused/fused |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const backend of backends) {
    for (const shape of shapes) {
      const m = (v: Variant) => {
        const s = samples.get(`${backend}|${shape.join("x")}|${v}`);
        // Deno makes 1 + max(1, warmup) calls before the n it measures; the median is of those n.
        return s ? median(s.slice(-sampleCount(backend, shape, v).n)) : Number.NaN;
      };
      const cell = (v: number) => (Number.isNaN(v) ? "–" : v.toFixed(1));
      const ratio = (p: number, q: number) => (Number.isNaN(p) || Number.isNaN(q) ? "–" : (p / q).toFixed(2));
      const [sw, nf, nu, rf] = VARIANTS.map(m);
      if ([sw, nf, nu, rf].every(Number.isNaN)) continue;
      lines.push(
        `| ${backend} | ${shape[0]}x${shape[1]} | ${cell(sw)} | ${cell(nf)} | ${cell(nu)} | ${cell(rf)} | ` +
          `${ratio(nf, sw)} | ${ratio(nu, nf)} |`,
      );
    }
  }
  return lines.join("\n");
}

globalThis.addEventListener("unload", () => {
  if (samples.size > 0) console.log(`\nmedians (fwd+bwd, ms):\n${summary()}`);
  if (skipped.length > 0) console.log(`\nskipped:\n${skipped.map((line) => `- ${line}`).join("\n")}`);
});
