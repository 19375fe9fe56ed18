/**
 * Matmul kernels on `wasm` and `cpu`: tfjs's own against the SIMD GEMM of
 * src/kernels (one thread and the default thread count), for the shapes of
 * `train-tiny` (2048 tokens, d_model 128, MLP widths 344 / 512, vocab 256) in
 * all four transpose combinations, plus the batched attention products.
 *
 * ```sh
 * deno bench -A bench/matmul_bench.ts
 * MATMUL_BENCH_BACKENDS=wasm deno bench -A bench/matmul_bench.ts
 * ```
 * @module
 */
import { initBackend, tf } from "../src/backend/mod.ts";
import { defaultGemmThreads, fastKernelsReady, installFastKernels, uninstallFastKernels } from "../src/kernels/mod.ts";

type Variant = "tfjs" | "fast-1t" | "fast-mt";

/** [batch, m, k, n] of the products; batch 0 means plain 2-D operands. */
const SHAPES: [number, number, number, number][] = [
  [0, 2048, 128, 128],
  [0, 2048, 128, 344],
  [0, 2048, 344, 128],
  [0, 2048, 128, 512],
  [0, 2048, 512, 128],
  [0, 128, 2048, 344],
  [64, 128, 32, 128],
];
const COMBOS: [boolean, boolean][] = [[false, false], [false, true], [true, false], [true, true]];

const backends = (Deno.env.get("MATMUL_BENCH_BACKENDS") ?? "wasm,cpu").split(",") as ("wasm" | "cpu")[];
const threads = defaultGemmThreads();

async function use(backend: "wasm" | "cpu", variant: Variant): Promise<void> {
  if (tf.getBackend() !== backend) await initBackend(backend);
  if (variant === "tfjs") {
    uninstallFastKernels();
    return;
  }
  installFastKernels({ threads: variant === "fast-1t" ? 1 : threads });
  await fastKernelsReady();
}

for (const backend of backends) {
  for (const [batch, m, k, n] of SHAPES) {
    for (const [ta, tb] of COMBOS) {
      // tfjs's cpu matmul takes seconds for the larger shapes; one combination of it is enough to compare.
      const variants: Variant[] = backend === "cpu" && (ta || tb)
        ? ["fast-1t", "fast-mt"]
        : ["tfjs", "fast-1t", "fast-mt"];
      const lead = batch ? [batch] : [];
      const aShape = [...lead, ...(ta ? [k, m] : [m, k])], bShape = [...lead, ...(tb ? [n, k] : [k, n])];
      const group = `${backend} ${batch ? `${batch}×` : ""}${m}×${k}×${n} ${ta ? "T" : "N"}${tb ? "T" : "N"}`;
      for (const variant of variants) {
        Deno.bench({
          name: `${group} ${variant === "fast-mt" ? `fast-${threads}t` : variant}`,
          group,
          baseline: variant === "fast-1t",
          n: 10,
          warmup: 2,
          async fn(b) {
            await use(backend, variant);
            const x = tf.randomNormal(aShape), y = tf.randomNormal(bShape);
            b.start();
            const z = tf.matMul(x, y, ta, tb);
            await z.data();
            b.end();
            tf.dispose([x, y, z]);
          },
        });
      }
    }
  }
}
