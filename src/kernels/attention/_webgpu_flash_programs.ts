/**
 * WGSL programs of the tiled causal attention on webgpu (FlashAttention-2's
 * scheme): no program holds more than one `[tile, tile]` block of scores,
 * in workgroup memory, so attention memory grows with seq, not seq².
 *
 * - `forward`: one workgroup per tile of query rows; it walks the key tiles up
 *   to the diagonal keeping a running row maximum and sum (online softmax) and
 *   the unnormalised output, then writes `out` and each row's logsumexp.
 * - `queries`: dq, one workgroup per query tile, scores recomputed from the
 *   saved logsumexp (`p = exp(s − lse)`), `ds = p⊙(dp − D)`.
 * - `keys`: dk and dv, one workgroup per key tile, walking the query tiles from
 *   the diagonal down. WGSL has no float atomics, so dq is its own pass rather
 *   than summed into from this one.
 * - `StatsProgram` (`./_webgpu_flash_stats.ts`): each row's `(lse, D = rowsum(dO⊙O))` pair, one thread a
 *   row: the backward passes' softmax correction, with the logsumexp beside it
 *   (one binding for both: the keys pass already binds eight buffers, WebGPU's
 *   default `maxStorageBuffersPerShaderStage`).
 *
 * The tensors are in row layout: q, dO, out, dq `[batch·seq, heads·headDim]`,
 * k, v, dk, dv `[batch·seq, kvHeads·headDim]`, lse `[batch·seq·heads]` (the
 * `[batch, heads, seq, headDim]` layout is this one with batch·heads batches
 * of one head). Query head h reads key/value head ⌊h / group⌋ by index
 * (grouped-query attention); the keys pass sums dk and dv over the group's
 * query heads. With `rope`, q and k are rotated (RoPE, Hugging Face's
 * rotate_half convention) as they are loaded, from cos/sin tables bound as
 * `rope` `[2, seq, headDim]`, and dq and dk are rotated back before they are
 * written: the attention takes and returns the unrotated projections.
 *
 * A workgroup is `tile` rows × `lanes` threads; each thread owns the columns
 * `lane, lane + lanes, …` of its row's accumulators (in registers) and
 * computes the scores `lane, lane + lanes, …` of its row of the block. Tiles
 * are sized to the device's workgroup storage (see {@linkcode flashTiles}).
 * Query tiles run heaviest first (the causal triangle makes the last rows the
 * longest), so the long workgroups do not trail at the end of a dispatch.
 * @module
 */
import { ROW_INDEX, type WebGPUProgramLike } from "../fused/mod.ts";
import type { FlashLayout, FlashPass, FlashTiles } from "./_webgpu_flash_tiles.ts";

export type { FlashLayout, FlashPass, FlashTiles } from "./_webgpu_flash_tiles.ts";
export { flashTiles } from "./_webgpu_flash_tiles.ts";
export { StatsProgram } from "./_webgpu_flash_stats.ts";

/** Lowest finite float32: the score of a masked entry and the start of a row maximum. */
const LOWEST = "-3.4028234e38";

/** The block pairs the backward passes take dot products of (q·k and dO·v). */
const PAIRS: [string, string][] = [["qs", "ks"], ["dos", "vs"]];

/**
 * One tiled pass, one workgroup per tile of rows of one (batch, head): query
 * heads for `forward` and `queries`, key/value heads for `keys`.
 *
 * @example
 * ```ts
 * const layout = { batch: 1, seq: 4096, heads: 16, kvHeads: 16, headDim: 128, rope: false };
 * new FlashProgram("forward", layout, { tile: 32, lanes: 4 }).dispatch; // [2048, 1, 1]
 * ```
 */
export class FlashProgram implements WebGPUProgramLike {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0, 1] };
  dispatch: [number, number, number];
  variableNames: string[];
  workgroupSize: [number, number, number];
  uniforms = "n : i32, tiles : i32, groups : i32, scale : f32,";
  /** Tiles of rows per matrix, workgroups in all: the `tiles` and `groups` uniforms. */
  readonly tiles: number;
  readonly groups: number;
  readonly headDim: number;

  constructor(readonly pass: FlashPass, readonly layout: FlashLayout, readonly shape: FlashTiles) {
    const { batch, seq, heads, kvHeads, headDim, rope } = layout;
    if (heads % kvHeads !== 0) throw new Error(`flash attention: ${kvHeads} key/value heads do not divide ${heads}`);
    if (rope && headDim % 2 !== 0) throw new Error(`flash attention: RoPE needs an even head dim, got ${headDim}`);
    this.headDim = headDim;
    const width = (pass === "keys" ? kvHeads : heads) * headDim;
    this.outputShape = [batch * seq, width];
    this.variableNames = [
      ...{
        forward: ["lse", "q", "k", "v"],
        queries: ["q", "k", "v", "dy", "stats"],
        keys: ["dv", "q", "k", "v", "dy", "stats"],
      }[
        pass
      ],
      ...(rope ? ["rope"] : []),
    ];
    this.workgroupSize = [shape.tile * shape.lanes, 1, 1];
    this.tiles = Math.ceil(seq / shape.tile);
    this.groups = batch * (pass === "keys" ? kvHeads : heads) * this.tiles;
    this.dispatch = [Math.max(1, this.groups), 1, 1];
    this.shaderKey = `flash_attention_${pass}_d${headDim}_h${heads}_kv${kvHeads}_r${
      rope ? 1 : 0
    }_t${shape.tile}_l${shape.lanes}`;
  }

  /** Constants, the column loop's guard, and the start of main up to the uniform workgroup index. */
  private head(shared: string, pairs: [string, string][]): string {
    const { tile, lanes } = this.shape;
    const { heads, kvHeads, headDim: d } = this.layout;
    // One function per pair of blocks: WGSL takes no pointers to workgroup memory as parameters.
    const dots = pairs.map(([a, b]) => `
  fn dot_${a}_${b}(ra : i32, rb : i32) -> f32 {
    var acc = 0.0;
    for (var c = 0; c < D; c++) {
      acc += ${a}[ra * D + c] * ${b}[rb * D + c];
    }
    return acc;
  }`).join("");
    return `
  const T = ${tile};
  const L = ${lanes};
  const D = ${d};
  const HALF = ${Math.floor(d / 2)};
  const H = ${heads};
  const KH = ${kvHeads};
  const GROUP = ${heads / kvHeads};
  const COLS = ${Math.ceil(d / lanes)};
  const LOWEST = ${LOWEST};
  ${shared}
  var<workgroup> wgIndex : i32;
  ${ROW_INDEX}
  ${dots}
  fn main(index : i32) {
    let t = i32(localId.x);
    if (t == 0) {
      wgIndex = rowIndex();
    }
    // Uniform for the barriers in the tile loops (the builtin reaches main through a private variable).
    let g = workgroupUniformLoad(&wgIndex);
    if (g >= uniforms.groups) {
      return;
    }
    let n = uniforms.n;
    let tiles = uniforms.tiles;
    let r = t / L;
    let x = t % L;`;
  }

  /**
   * WGSL copying a tile from `src` (rows from `row0`, zero past seq; row `row` of
   * the head at `base` + row·`stride`) into `dst`, rotated when `rotate` and the
   * layout has RoPE, times `factor`.
   */
  private load(
    dst: string,
    src: string,
    base: string,
    stride: string,
    row0: string,
    rotate = false,
    factor = "",
  ): string {
    const value = rotate && this.layout.rope
      ? `let at = ${base} + row * ${stride};
        let c = e % D;
        var partner = 0.0;
        if (c < HALF) {
          partner = -${src}[at + c + HALF];
        } else {
          partner = ${src}[at + c - HALF];
        }
        value = (${src}[at + c] * rope[row * D + c] + partner * rope[(n + row) * D + c])${factor};`
      : `value = ${src}[${base} + row * ${stride} + e % D]${factor};`;
    return `
    for (var e = t; e < T * D; e += T * L) {
      let row = ${row0} + e / D;
      var value = 0.0;
      if (row < n) {
        ${value}
      }
      ${dst}[e] = value;
    }`;
  }

  /** A loop over this thread's columns `c` (guarded when lanes do not divide the head dim). */
  private columns(body: string): string {
    const guard = this.headDim % this.shape.lanes === 0 ? "" : "if (c >= D) { break; }";
    return `
      for (var ci = 0; ci < COLS; ci++) {
        let c = x + ci * L;
        ${guard}
        ${body}
      }`;
  }

  /**
   * WGSL writing this thread's row `pos` of `acc` (times `factor`) to `out` at
   * `base` + pos·`stride`; with RoPE, rotated back (the transpose of the
   * rotation) through the workgroup block `stage`, since a column's partner
   * half a row away may belong to another thread.
   */
  private store(
    out: string,
    acc: string,
    base: string,
    stride: string,
    pos: string,
    stage: string,
    factor = "",
  ): string {
    const at = `${base} + ${pos} * ${stride} + c`;
    if (!this.layout.rope) {
      return `
    if (${pos} < n) {
      ${this.columns(`${out}[${at}] = ${acc}[ci]${factor};`)}
    }`;
    }
    return `
    workgroupBarrier();
    ${this.columns(`${stage}[r * D + c] = ${acc}[ci]${factor};`)}
    workgroupBarrier();
    if (${pos} < n) {
      ${
      this.columns(`var value = ${stage}[r * D + c] * rope[${pos} * D + c];
        if (c < HALF) {
          value += ${stage}[r * D + c + HALF] * rope[(n + ${pos}) * D + c + HALF];
        } else {
          value -= ${stage}[r * D + c - HALF] * rope[(n + ${pos}) * D + c - HALF];
        }
        ${out}[${at}] = value;`)
    }
    }`;
  }

  getUserCode(): string {
    if (this.pass === "forward") return this.forward();
    return this.pass === "queries" ? this.queries() : this.keys();
  }

  /** WGSL naming a query-head workgroup's batch `b`, head `h`, query tile `qt` (heaviest first) and row bases. */
  private queryTile(): string {
    return `
    let m = g / tiles;
    let b = m / H;
    let h = m % H;
    let qt = tiles - 1 - g % tiles;
    let i0 = qt * T;
    let i = i0 + r;
    let qBase = (b * n * H + h) * D;
    let kvBase = (b * n * KH + h / GROUP) * D;
    let lseRow = (b * n + min(i, n - 1)) * H + h;`;
  }

  private forward(): string {
    const block = `array<f32, ${this.shape.tile * this.headDim}>`;
    const shared = `var<workgroup> qs : ${block};\n  var<workgroup> kv : ${block};
  var<workgroup> s : array<f32, ${this.shape.tile ** 2}>;`;
    return `${this.head(shared, [["qs", "kv"]])}
    ${this.queryTile()}
    ${this.load("qs", "q", "qBase", "H * D", "i0", true, " * uniforms.scale")}
    var o : array<f32, COLS>;
    var rowMax = LOWEST;
    var rowSum = 0.0;
    for (var jt = 0; jt <= qt; jt++) {
      let j0 = jt * T;
      workgroupBarrier();
      ${this.load("kv", "k", "kvBase", "KH * D", "j0", true)}
      workgroupBarrier();
      for (var j = x; j < T; j += L) {
        s[r * T + j] = select(LOWEST, dot_qs_kv(r, j), j0 + j <= i);
      }
      workgroupBarrier();
      ${this.load("kv", "v", "kvBase", "KH * D", "j0")}
      workgroupBarrier();
      var newMax = rowMax;
      for (var j = 0; j < T; j++) {
        newMax = max(newMax, s[r * T + j]);
      }
      let alpha = exp(rowMax - newMax);
      rowSum *= alpha;
      for (var ci = 0; ci < COLS; ci++) {
        o[ci] *= alpha;
      }
      for (var j = 0; j < T; j++) {
        let p = exp(s[r * T + j] - newMax);
        rowSum += p;
        ${this.columns("o[ci] += p * kv[j * D + c];")}
      }
      rowMax = newMax;
    }
    if (i < n) {
      let inv = 1.0 / rowSum;
      ${this.columns("result[qBase + i * H * D + c] = o[ci] * inv;")}
      if (x == 0) {
        lse[lseRow] = rowMax + log(rowSum);
      }
    }
  }`;
  }

  private queries(): string {
    const block = `array<f32, ${this.shape.tile * this.headDim}>`;
    const shared = ["qs", "dos", "ks", "vs"].map((a) => `var<workgroup> ${a} : ${block};`).join("\n  ");
    return `${this.head(`${shared}\n  var<workgroup> ds : array<f32, ${this.shape.tile ** 2}>;`, PAIRS)}
    ${this.queryTile()}
    ${this.load("qs", "q", "qBase", "H * D", "i0", true, " * uniforms.scale")}
    ${this.load("dos", "dy", "qBase", "H * D", "i0")}
    var rowLse = 0.0;
    var rowD = 0.0;
    if (i < n) {
      rowLse = stats[2 * lseRow];
      rowD = stats[2 * lseRow + 1];
    }
    var acc : array<f32, COLS>;
    for (var jt = 0; jt <= qt; jt++) {
      let j0 = jt * T;
      workgroupBarrier();
      ${this.load("ks", "k", "kvBase", "KH * D", "j0", true)}
      ${this.load("vs", "v", "kvBase", "KH * D", "j0")}
      workgroupBarrier();
      for (var j = x; j < T; j += L) {
        let p = select(0.0, exp(dot_qs_ks(r, j) - rowLse), j0 + j <= i);
        ds[r * T + j] = p * (dot_dos_vs(r, j) - rowD);
      }
      workgroupBarrier();
      for (var j = 0; j < T; j++) {
        let w = ds[r * T + j];
        ${this.columns("acc[ci] += w * ks[j * D + c];")}
      }
    }
    ${this.store("result", "acc", "qBase", "H * D", "i", "qs", " * uniforms.scale")}
  }`;
  }

  private keys(): string {
    const { tile } = this.shape;
    const block = `array<f32, ${tile * this.headDim}>`;
    const shared = ["ks", "vs", "qs", "dos"].map((a) => `var<workgroup> ${a} : ${block};`).join("\n  ");
    const stats = `var<workgroup> ps : array<f32, ${tile ** 2}>;
  var<workgroup> ds : array<f32, ${tile ** 2}>;
  var<workgroup> lses : array<f32, ${tile}>;
  var<workgroup> dds : array<f32, ${tile}>;`;
    return `${this.head(`${shared}\n  ${stats}`, PAIRS)}
    let m = g / tiles;
    let b = m / KH;
    let kh = m % KH;
    let kt = g % tiles;
    let j0 = kt * T;
    let j = j0 + r;
    let kvBase = (b * n * KH + kh) * D;
    ${this.load("ks", "k", "kvBase", "KH * D", "j0", true)}
    ${this.load("vs", "v", "kvBase", "KH * D", "j0")}
    var dkAcc : array<f32, COLS>;
    var dvAcc : array<f32, COLS>;
    for (var hg = 0; hg < GROUP; hg++) {
      let h = kh * GROUP + hg;
      let qBase = (b * n * H + h) * D;
      for (var qt = kt; qt < tiles; qt++) {
        let i0 = qt * T;
        workgroupBarrier();
        ${this.load("qs", "q", "qBase", "H * D", "i0", true, " * uniforms.scale")}
        ${this.load("dos", "dy", "qBase", "H * D", "i0")}
        if (t < T) {
          let row = i0 + t;
          let at = 2 * ((b * n + min(row, n - 1)) * H + h);
          lses[t] = select(0.0, stats[at], row < n);
          dds[t] = select(0.0, stats[at + 1], row < n);
        }
        workgroupBarrier();
        for (var ii = x; ii < T; ii += L) {
          let i = i0 + ii;
          let p = select(0.0, exp(dot_qs_ks(ii, r) - lses[ii]), j <= i && i < n);
          ps[r * T + ii] = p;
          ds[r * T + ii] = p * (dot_dos_vs(ii, r) - dds[ii]);
        }
        workgroupBarrier();
        for (var ii = 0; ii < T; ii++) {
          let p = ps[r * T + ii];
          let w = ds[r * T + ii];
          ${this.columns("dvAcc[ci] += p * dos[ii * D + c];\n          dkAcc[ci] += w * qs[ii * D + c];")}
        }
      }
    }
    if (j < n) {
      ${this.columns("dv[kvBase + j * KH * D + c] = dvAcc[ci];")}
    }
    ${this.store("result", "dkAcc", "kvBase", "KH * D", "j", "ks")}
  }`;
  }
}
