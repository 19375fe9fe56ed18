import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend/mod.ts";
import { adamwConstants, adamwUpdate, fusedAdamW, hasFusedAdamW } from "../../src/kernels/adamw/mod.ts";
import { adamwTask } from "../../src/kernels/adamw/tasks.ts";
import { Rng } from "../../src/util/rng.ts";
import { BETAS, EPS, LR, unfusedAdamW as unfused, WD } from "./_adamw_unfused.ts";

const rng = new Rng(3);

/** float64 AdamW of one element sequence. */
function reference64(p: number, g: number | null, m: number, v: number, decay: boolean, t: number) {
  const [b1, b2] = BETAS;
  const gi = g ?? 0;
  const m1 = b1 * m + (1 - b1) * gi, v1 = b2 * v + (1 - b2) * gi * gi;
  const denom = Math.sqrt(v1) / Math.sqrt(1 - b2 ** t) + EPS;
  return [(decay ? p * (1 - LR * WD) : p) - LR / (1 - b1 ** t) * m1 / denom, m1, v1];
}

const random = (shape: number[], scale = 1) =>
  tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => scale * rng.normal()), shape);

for (const backend of ["cpu", "wasm"] as const) {
  Deno.test(`${backend}: fused AdamW is bit-identical to the unfused ops and close to float64, over steps`, async () => {
    await initBackend(backend);
    assert.ok(hasFusedAdamW());
    const shapes = [[7, 5], [33], [1], [4, 3]];
    const hasGrad = [true, true, false, true];
    const decay = [true, false, true, true];
    let fused = shapes.map((s) => [random(s), tf.zeros(s), tf.zeros(s)]);
    let plain = fused.map((t) => t.map((x) => x.clone()));
    for (let t = 1; t <= 3; t++) {
      const grads = shapes.map((s, i) => hasGrad[i] ? random(s, t === 2 ? 1e-3 : 1) : null);
      const before = await Promise.all(fused.map(async (x) => await Promise.all(x.map((y) => y.data()))));
      const nextFused = fusedAdamW(
        fused.map(([p, m, v], i) => ({ p, m, v, g: grads[i], decay: decay[i] })),
        adamwConstants(BETAS, EPS, WD, LR, t),
      );
      const nextPlain = plain.map(([p, m, v], i) => unfused(p, grads[i], m, v, decay[i], t));
      for (let i = 0; i < shapes.length; i++) {
        const gv = grads[i] ? await grads[i]!.data() : null;
        for (let j = 0; j < 3; j++) {
          const [a, b] = [await nextFused[i][j].data(), await nextPlain[i][j].data()];
          assert.deepEqual(Array.from(a), Array.from(b), `step ${t} slot ${i} output ${j}`);
          for (let e = 0; e < a.length; e++) {
            const want =
              reference64(before[i][0][e], gv ? gv[e] : null, before[i][1][e], before[i][2][e], decay[i], t)[j];
            assert.ok(
              Math.abs(a[e] - want) <= 1e-6 * (1 + Math.abs(want)),
              `float64 ${t}/${i}/${j}/${e}: ${a[e]} vs ${want}`,
            );
          }
        }
      }
      tf.dispose([...fused.flat(), ...plain.flat(), ...grads.filter((g) => g !== null)]);
      fused = nextFused;
      plain = nextPlain;
    }
    tf.dispose([...fused.flat(), ...plain.flat()]);
  });
}

Deno.test("adamwTask (SIMD on staged blocks) equals adamwUpdate bit for bit at any size and split", () => {
  const sizes = [1, 7, 1025, 4099, 9001];
  const c = adamwConstants(BETAS, EPS, WD, LR, 5);
  const head = [c.b1, c.b1c, c.b2, c.b2c, c.bc2, c.eps, c.step, c.decay];
  // Per parameter 7 regions (p g m v p' m' v') and a guard float after each; the last two update in place.
  const stride = (n: number) => 7 * (n + 1);
  const total = sizes.reduce((s, n) => s + stride(n), 0);
  const heap = new Float32Array(
    new WebAssembly.Memory({ initial: Math.ceil((total * 4) / 65536) + 1 }).buffer,
    0,
    total,
  );
  heap.forEach((_, i) => heap[i] = rng.normal() * (i % 3 === 0 ? 1e-3 : 1));
  const args = [...head];
  let at = 0;
  const slots = sizes.map((n, i) => {
    const r = (k: number) => at + k * (n + 1);
    heap.subarray(r(3), r(3) + n).forEach((x, j, v) => v[j] = Math.abs(x));
    const inPlace = i >= 3;
    const out = inPlace ? [r(0), r(2), r(3)] : [r(4), r(5), r(6)];
    const slot = { n, p: r(0), g: i === 1 ? -1 : r(1), m: r(2), v: r(3), out, decays: i !== 2 };
    args.push(slot.p, slot.g, slot.m, slot.v, ...out, n, slot.decays ? 1 : 0);
    at += stride(n);
    return slot;
  });
  const want = heap.slice();
  for (const s of slots) {
    const view = (offset: number) => want.subarray(offset, offset + s.n);
    const [p, m, v] = s.out.map(view);
    adamwUpdate(view(s.p), s.g < 0 ? null : view(s.g), view(s.m), view(s.v), p, m, v, c, s.decays);
  }
  for (const parts of [1, 2, 5]) {
    const got = heap.slice();
    for (let part = 0; part < parts; part++) adamwTask(got, Float64Array.from(args), part, parts);
    for (let i = 0; i < total; i++) assert.ok(Object.is(got[i], want[i]), `${parts} parts: float ${i} differs`);
  }
  assert.ok(want.some((x, i) => x !== heap[i]), "the update changed the heap");
});
