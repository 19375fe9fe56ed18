/**
 * Generates the data-movement and reduction helpers of the wasm kernels:
 * - `copy_rows`: `rows` runs of `len` bytes between strided places, the inner
 *   loop of concat and split (tfjs's wasm backend does this in JavaScript
 *   with a typed-array view per run, costly for RoPE's 64-byte half-rows);
 * - `gather_rows`: rows of a table picked by an int32 index list (embedding
 *   lookups; tfjs's wasm gather goes element by element);
 * - `col_sum`: float32 column sums of a row-major matrix (reductions over
 *   leading axes, e.g. a norm weight's gradient; tfjs transposes first).
 * @module
 */
import { buildModule, FuncBuilder, I32, OP } from "../_wasm/asm.ts";

/** `copy_rows(src, srcStride, dst, dstStride, rows, len)`, all in bytes. */
function copyRows(): FuncBuilder {
  const f = new FuncBuilder([I32, I32, I32, I32, I32, I32]);
  const [src, srcStride, dst, dstStride, rows, len] = [0, 1, 2, 3, 4, 5];
  const r = f.local(I32), off = f.local(I32);
  const rowLoop = (inner: () => void) => {
    f.i32(0).set(r);
    f.whileLoop(() => f.get(r).get(rows).op(OP.i32LtS), () => {
      inner();
      f.addLocal(src, srcStride).addLocal(dst, dstStride).addTo(r, 1);
    });
  };
  // Whole 16-byte vectors: an inline SIMD loop; anything else: memory.copy per run.
  f.get(len).i32(15).op(OP.i32And).op(OP.i32Eqz);
  f.ifElse(
    () =>
      rowLoop(() => {
        f.i32(0).set(off);
        f.whileLoop(() => f.get(off).get(len).op(OP.i32LtS), () => {
          f.get(dst).get(off).op(OP.i32Add);
          f.get(src).get(off).op(OP.i32Add).simdMem(OP.v128Load, 0, 0);
          f.simdMem(OP.v128Store, 0, 0);
          f.addTo(off, 16);
        });
      }),
    () =>
      rowLoop(() => {
        f.get(dst).get(src).get(len).op(OP.miscPrefix, OP.memoryCopy, 0, 0);
      }),
  );
  return f;
}

/** `gather_rows(table, rowBytes, indices, count, out)`: out row i = table row indices[i]. */
function gatherRows(): FuncBuilder {
  const f = new FuncBuilder([I32, I32, I32, I32, I32]);
  const [table, rowBytes, indices, count, out] = [0, 1, 2, 3, 4];
  const i = f.local(I32);
  f.i32(0).set(i);
  f.whileLoop(() => f.get(i).get(count).op(OP.i32LtS), () => {
    f.get(out);
    f.get(indices).mem(OP.i32Load, 2, 0).get(rowBytes).op(OP.i32Mul).get(table).op(OP.i32Add);
    f.get(rowBytes).op(OP.miscPrefix, OP.memoryCopy, 0, 0);
    f.addLocal(out, rowBytes).addTo(indices, 4).addTo(i, 1);
  });
  return f;
}

/** `col_sum(x, rows, cols, out)`: `out[c] = Σ_r x[r·cols + c]` in float32, rows summed in order. */
function colSum(): FuncBuilder {
  const f = new FuncBuilder([I32, I32, I32, I32]);
  const [x, rows, cols, out] = [0, 1, 2, 3];
  const r = f.local(I32), c = f.local(I32), p = f.local(I32), q = f.local(I32), vecEnd = f.local(I32);
  f.get(cols).i32(-4).op(OP.i32And).set(vecEnd);
  // out = 0
  f.i32(0).set(c);
  f.whileLoop(() => f.get(c).get(cols).op(OP.i32LtS), () => {
    f.get(c).i32(2).op(OP.i32Shl).get(out).op(OP.i32Add).f32(0).mem(OP.f32Store, 2, 0);
    f.addTo(c, 1);
  });
  f.get(x).set(p);
  f.i32(0).set(r);
  f.whileLoop(() => f.get(r).get(rows).op(OP.i32LtS), () => {
    f.get(out).set(q);
    f.i32(0).set(c);
    f.whileLoop(() => f.get(c).get(vecEnd).op(OP.i32LtS), () => {
      f.get(q).get(q).simdMem(OP.v128Load, 0, 0).get(p).simdMem(OP.v128Load, 0, 0).simd(OP.f32x4Add);
      f.simdMem(OP.v128Store, 0, 0);
      f.addTo(p, 16).addTo(q, 16).addTo(c, 4);
    });
    f.whileLoop(() => f.get(c).get(cols).op(OP.i32LtS), () => {
      f.get(q).get(q).mem(OP.f32Load, 2, 0).get(p).mem(OP.f32Load, 2, 0).op(OP.f32Add).mem(OP.f32Store, 2, 0);
      f.addTo(p, 4).addTo(q, 4).addTo(c, 1);
    });
    f.addTo(r, 1);
  });
  return f;
}

/**
 * The data module's bytes; it imports `env.memory` (not shared).
 *
 * @example
 * ```ts
 * const memory = new WebAssembly.Memory({ initial: 1 });
 * const { copy_rows } = new WebAssembly.Instance(new WebAssembly.Module(dataModuleBytes()), { env: { memory } }).exports;
 * ```
 */
export function dataModuleBytes(): Uint8Array<ArrayBuffer> {
  return buildModule({
    memory: { minPages: 0, shared: false },
    funcs: [
      { name: "copy_rows", func: copyRows() },
      { name: "gather_rows", func: gatherRows() },
      { name: "col_sum", func: colSum() },
    ],
  });
}
