/**
 * Generates the WebAssembly SIMD GEMM: packing of both operands (which is also
 * where transposes are absorbed) and a register-blocked micro-kernel.
 *
 * Layouts (all float32, element strides):
 * - packed A: `ceil(M/MR)` panels, each `K × MR` (k-major), zero-padded rows;
 * - packed B: `ceil(N/NR)` panels, each `K × NR` (k-major), zero-padded columns;
 * - C: row-major with leading dimension `ldc`.
 * @module
 */
import { buildModule, F32, FuncBuilder, I32, OP, V128 } from "../_wasm/asm.ts";

/** Tile shape and instruction choices of a generated GEMM. */
export interface GemmShape {
  /** Rows of the micro-tile. */
  mr: number;
  /** Columns of the micro-tile; a multiple of 4. */
  nr: number;
  /** Unrolling of the k loop. */
  unroll: number;
  /** Use `f32x4.relaxed_madd` (a fused multiply-add where the CPU has one). */
  relaxed: boolean;
}

/** The tile for x86-64's 16 SIMD registers: 12 accumulators, 2 B vectors and one A broadcast (chosen by `bench/matmul_bench.ts`). */
export const DEFAULT_GEMM_SHAPE: GemmShape = { mr: 6, nr: 8, unroll: 4, relaxed: true };

/** `pack_a(src, rs, cs, M, K, dst)`: element `A[i,k]` is at `src + 4*(i*rs + k*cs)`. */
function packA(mr: number): FuncBuilder {
  const f = new FuncBuilder([I32, I32, I32, I32, I32, I32]);
  const [src, rs, cs, m, kDim, dst] = [0, 1, 2, 3, 4, 5];
  const i0 = f.local(I32), k = f.local(I32), p = f.local(I32), q = f.local(I32), rs4 = f.local(I32);
  const cs4 = f.local(I32), rowStep = f.local(I32);
  f.get(rs).i32(2).op(OP.i32Shl).set(rs4);
  f.get(cs).i32(2).op(OP.i32Shl).set(cs4);
  f.get(rs4).i32(mr).op(OP.i32Mul).set(rowStep);
  f.i32(0).set(i0);
  f.get(src).set(p); // p: address of A[i0, 0]
  f.whileLoop(() => f.get(i0).get(m).op(OP.i32LtS), () => {
    const full = () => f.get(i0).i32(mr).op(OP.i32Add).get(m).op(OP.i32LeS);
    const kLoop = (guarded: boolean) => {
      f.i32(0).set(k);
      const col = f.local(I32);
      f.get(p).set(col);
      f.whileLoop(() => f.get(k).get(kDim).op(OP.i32LtS), () => {
        f.get(col).set(q);
        for (let ii = 0; ii < mr; ii++) {
          f.get(dst);
          if (guarded) {
            f.get(i0).i32(ii).op(OP.i32Add).get(m).op(OP.i32LtS);
            f.op(OP.if, F32);
            f.get(q).mem(OP.f32Load, 2, 0);
            f.op(OP.else).f32(0).op(OP.end);
          } else {
            f.get(q).mem(OP.f32Load, 2, 0);
          }
          f.mem(OP.f32Store, 2, ii * 4);
          if (ii < mr - 1) f.addLocal(q, rs4);
        }
        f.addTo(dst, mr * 4);
        f.addLocal(col, cs4);
        f.addTo(k, 1);
      });
    };
    full();
    f.ifElse(() => kLoop(false), () => kLoop(true));
    f.addLocal(p, rowStep);
    f.addTo(i0, mr);
  });
  return f;
}

/** `pack_b(src, rs, cs, K, N, dst)`: element `B[k,j]` is at `src + 4*(k*rs + j*cs)`. */
function packB(nr: number): FuncBuilder {
  const f = new FuncBuilder([I32, I32, I32, I32, I32, I32]);
  const [src, rs, cs, kDim, n, dst] = [0, 1, 2, 3, 4, 5];
  const j0 = f.local(I32), k = f.local(I32), p = f.local(I32), q = f.local(I32), rs4 = f.local(I32);
  const cs4 = f.local(I32), colStep = f.local(I32);
  f.get(rs).i32(2).op(OP.i32Shl).set(rs4);
  f.get(cs).i32(2).op(OP.i32Shl).set(cs4);
  f.get(cs4).i32(nr).op(OP.i32Mul).set(colStep);
  f.i32(0).set(j0);
  f.get(src).set(p); // p: address of B[0, j0]
  f.whileLoop(() => f.get(j0).get(n).op(OP.i32LtS), () => {
    const kLoop = (mode: "vector" | "scalar" | "guarded") => {
      f.i32(0).set(k);
      const row = f.local(I32);
      f.get(p).set(row);
      f.whileLoop(() => f.get(k).get(kDim).op(OP.i32LtS), () => {
        if (mode === "vector") {
          for (let v = 0; v < nr / 4; v++) {
            f.get(dst).get(row).simdMem(OP.v128Load, 2, v * 16).simdMem(OP.v128Store, 2, v * 16);
          }
        } else {
          f.get(row).set(q);
          for (let jj = 0; jj < nr; jj++) {
            f.get(dst);
            if (mode === "guarded") {
              f.get(j0).i32(jj).op(OP.i32Add).get(n).op(OP.i32LtS);
              f.op(OP.if, F32);
              f.get(q).mem(OP.f32Load, 2, 0);
              f.op(OP.else).f32(0).op(OP.end);
            } else {
              f.get(q).mem(OP.f32Load, 2, 0);
            }
            f.mem(OP.f32Store, 2, jj * 4);
            if (jj < nr - 1) f.addLocal(q, cs4);
          }
        }
        f.addTo(dst, nr * 4);
        f.addLocal(row, rs4);
        f.addTo(k, 1);
      });
    };
    f.get(j0).i32(nr).op(OP.i32Add).get(n).op(OP.i32LeS);
    f.ifElse(() => {
      f.get(cs).i32(1).op(OP.i32Eq);
      f.ifElse(() => kLoop("vector"), () => kLoop("scalar"));
    }, () => kLoop("guarded"));
    f.addLocal(p, colStep);
    f.addTo(j0, nr);
  });
  return f;
}

/**
 * `gemm(ap, bp, c, M, N, K, ldc, tmp, accumulate)`: `C = A·B` (or `C += A·B`
 * when `accumulate` is non-zero) from packed operands; `tmp` is scratch for
 * one `MR × NR` tile, used at the ragged edges.
 */
function gemm(shape: GemmShape): FuncBuilder {
  // Long because one register tile's loads, FMAs and stores share a dozen locals; split, each part would take them all.
  const { mr, nr, unroll, relaxed } = shape;
  const nv = nr / 4;
  const f = new FuncBuilder([I32, I32, I32, I32, I32, I32, I32, I32, I32]);
  const [ap, bp, c, m, n, kDim, ldc, tmp, accumulate] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const i0 = f.local(I32), j0 = f.local(I32), k = f.local(I32), pa = f.local(I32), pb = f.local(I32);
  const apan = f.local(I32), bpan = f.local(I32), cr = f.local(I32), ldc4 = f.local(I32);
  const rows = f.local(I32), cols = f.local(I32), rr = f.local(I32), cc = f.local(I32), src = f.local(I32);
  const acc: number[][] = [];
  for (let r = 0; r < mr; r++) acc.push(Array.from({ length: nv }, () => f.local(V128)));
  const bv = Array.from({ length: nv }, () => f.local(V128));
  const av = f.local(V128);

  const step = (u: number) => {
    for (let q = 0; q < nv; q++) f.get(pb).simdMem(OP.v128Load, 4, (u * nr + q * 4) * 4).set(bv[q]);
    for (let r = 0; r < mr; r++) {
      f.get(pa).simdMem(OP.v128Load32Splat, 2, (u * mr + r) * 4).set(av);
      for (let q = 0; q < nv; q++) {
        if (relaxed) {
          f.get(av).get(bv[q]).get(acc[r][q]).simd(OP.f32x4RelaxedMadd).set(acc[r][q]);
        } else {
          f.get(acc[r][q]).get(av).get(bv[q]).simd(OP.f32x4Mul).simd(OP.f32x4Add).set(acc[r][q]);
        }
      }
    }
  };

  f.get(ldc).i32(2).op(OP.i32Shl).set(ldc4);
  f.i32(0).set(j0);
  f.get(bp).set(bpan);
  f.whileLoop(() => f.get(j0).get(n).op(OP.i32LtS), () => {
    f.i32(0).set(i0);
    f.get(ap).set(apan);
    f.whileLoop(() => f.get(i0).get(m).op(OP.i32LtS), () => {
      for (const row of acc) for (const a of row) f.f32x4Const(0).set(a);
      f.get(apan).set(pa);
      f.get(bpan).set(pb);
      f.get(kDim).set(k);
      f.whileLoop(() => f.get(k).i32(unroll).op(OP.i32GeS), () => {
        for (let u = 0; u < unroll; u++) step(u);
        f.addTo(pa, unroll * mr * 4).addTo(pb, unroll * nr * 4).addTo(k, -unroll);
      });
      f.whileLoop(() => f.get(k).i32(0).op(OP.i32GtS), () => {
        step(0);
        f.addTo(pa, mr * 4).addTo(pb, nr * 4).addTo(k, -1);
      });

      // Full tile: vector stores straight into C.
      f.get(i0).i32(mr).op(OP.i32Add).get(m).op(OP.i32LeS);
      f.get(j0).i32(nr).op(OP.i32Add).get(n).op(OP.i32LeS);
      f.op(OP.i32And);
      f.ifElse(() => {
        const rowStart = () =>
          f.get(i0).get(ldc).op(OP.i32Mul).get(j0).op(OP.i32Add).i32(2).op(OP.i32Shl).get(c).op(OP.i32Add).set(cr);
        f.get(accumulate).ifElse(() => {
          rowStart();
          for (let r = 0; r < mr; r++) {
            for (let q = 0; q < nv; q++) {
              f.get(acc[r][q]).get(cr).simdMem(OP.v128Load, 2, q * 16).simd(OP.f32x4Add).set(acc[r][q]);
            }
            if (r < mr - 1) f.addLocal(cr, ldc4);
          }
        });
        rowStart();
        for (let r = 0; r < mr; r++) {
          for (let q = 0; q < nv; q++) f.get(cr).get(acc[r][q]).simdMem(OP.v128Store, 2, q * 16);
          if (r < mr - 1) f.addLocal(cr, ldc4);
        }
      }, () => {
        // Ragged edge: spill the tile, then copy the valid part element by element.
        for (let r = 0; r < mr; r++) {
          for (let q = 0; q < nv; q++) f.get(tmp).get(acc[r][q]).simdMem(OP.v128Store, 2, (r * nr + q * 4) * 4);
        }
        f.get(m).get(i0).op(OP.i32Sub).set(rows);
        f.get(rows).i32(mr).get(rows).i32(mr).op(OP.i32LtS).op(OP.select).set(rows);
        f.get(n).get(j0).op(OP.i32Sub).set(cols);
        f.get(cols).i32(nr).get(cols).i32(nr).op(OP.i32LtS).op(OP.select).set(cols);
        f.i32(0).set(rr);
        f.whileLoop(() => f.get(rr).get(rows).op(OP.i32LtS), () => {
          f.get(i0).get(rr).op(OP.i32Add).get(ldc).op(OP.i32Mul).get(j0).op(OP.i32Add).i32(2).op(OP.i32Shl)
            .get(c).op(OP.i32Add).set(cr);
          f.get(rr).i32(nr * 4).op(OP.i32Mul).get(tmp).op(OP.i32Add).set(src);
          f.i32(0).set(cc);
          f.whileLoop(() => f.get(cc).get(cols).op(OP.i32LtS), () => {
            f.get(cr).get(src).mem(OP.f32Load, 2, 0);
            f.get(accumulate).op(OP.if, F32).get(cr).mem(OP.f32Load, 2, 0).op(OP.else).f32(0).op(OP.end);
            f.op(OP.f32Add).mem(OP.f32Store, 2, 0);
            f.addTo(cr, 4).addTo(src, 4).addTo(cc, 1);
          });
          f.addTo(rr, 1);
        });
      });

      f.get(kDim).i32(mr * 4).op(OP.i32Mul).get(apan).op(OP.i32Add).set(apan);
      f.addTo(i0, mr);
    });
    f.get(kDim).i32(nr * 4).op(OP.i32Mul).get(bpan).op(OP.i32Add).set(bpan);
    f.addTo(j0, nr);
  });
  return f;
}

/**
 * Emits the GEMM module for one tile shape. It imports `env.memory`; pass
 * `shared` when the memory is a shared one.
 *
 * @example
 * ```ts
 * const bytes = gemmModuleBytes(DEFAULT_GEMM_SHAPE, { minPages: 1, shared: false });
 * console.log(WebAssembly.validate(bytes));
 * ```
 */
export function gemmModuleBytes(
  shape: GemmShape,
  memory: { minPages: number; maxPages?: number; shared: boolean },
): Uint8Array<ArrayBuffer> {
  if (shape.nr % 4 !== 0 || shape.nr <= 0 || shape.mr <= 0 || shape.unroll <= 0) {
    throw new Error(`invalid GEMM tile ${JSON.stringify(shape)}`);
  }
  return buildModule({
    memory,
    funcs: [
      { name: "pack_a", func: packA(shape.mr) },
      { name: "pack_b", func: packB(shape.nr) },
      { name: "gemm", func: gemm(shape) },
    ],
  });
}
