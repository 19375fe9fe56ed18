/**
 * A minimal WebAssembly binary writer: enough to emit the numeric kernels of
 * src/kernels (i32 / f32 / f64 / v128 arithmetic, loads and stores, lane
 * operations, structured control flow) into a module that imports one
 * memory. It is the project's one way of producing WebAssembly.
 *
 * Kernels are generated at run time rather than shipped as a prebuilt `.wasm`
 * because the project has no C or WAT toolchain, and generation lets the tile
 * sizes stay parameters.
 * @module
 */

/** Value types used by the kernels. */
export const I32 = 0x7f;
/** 32-bit float value type. */
export const F32 = 0x7d;
/** 64-bit float value type. */
export const F64 = 0x7c;
/** 128-bit SIMD value type. */
export const V128 = 0x7b;
/** One of {@linkcode I32}, {@linkcode F32}, {@linkcode F64}, {@linkcode V128}. */
export type ValType = typeof I32 | typeof F32 | typeof F64 | typeof V128;

function uleb(out: number[], value: number): void {
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
}

function sleb(out: number[], value: number): void {
  let v = value | 0;
  while (true) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return;
  }
}

function name(out: number[], text: string): void {
  const bytes = new TextEncoder().encode(text);
  uleb(out, bytes.length);
  out.push(...bytes);
}

function section(out: number[], id: number, body: number[]): void {
  out.push(id);
  uleb(out, body.length);
  for (const b of body) out.push(b);
}

/**
 * The body of one function, written instruction by instruction. Methods return
 * `this` so short sequences read left to right.
 *
 * @example
 * ```ts
 * const f = new FuncBuilder([I32, I32], [I32]);
 * f.get(0).get(1).op(0x6a); // i32.add
 * const bytes = buildModule({ memory: null, funcs: [{ name: "add", func: f }] });
 * ```
 */
export class FuncBuilder {
  /** Instruction bytes, without the trailing `end`. */
  readonly body: number[] = [];
  /** Types of the declared (non-parameter) locals. */
  readonly locals: ValType[] = [];

  constructor(readonly params: readonly ValType[], readonly results: readonly ValType[] = []) {}

  /** Declares a local and returns its index. */
  local(type: ValType): number {
    this.locals.push(type);
    return this.params.length + this.locals.length - 1;
  }

  /** Appends raw opcode bytes. */
  op(...bytes: number[]): this {
    for (const b of bytes) this.body.push(b);
    return this;
  }

  /** `local.get`. */
  get(index: number): this {
    this.body.push(0x20);
    uleb(this.body, index);
    return this;
  }

  /** `local.set`. */
  set(index: number): this {
    this.body.push(0x21);
    uleb(this.body, index);
    return this;
  }

  /** `local.tee`. */
  tee(index: number): this {
    this.body.push(0x22);
    uleb(this.body, index);
    return this;
  }

  /** `i32.const`. */
  i32(value: number): this {
    this.body.push(0x41);
    sleb(this.body, value);
    return this;
  }

  /** `f32.const`. */
  f32(value: number): this {
    this.body.push(0x43);
    const bytes = new Uint8Array(new Float32Array([value]).buffer);
    for (const b of bytes) this.body.push(b);
    return this;
  }

  /** A memory instruction with its alignment (log2) and constant offset. */
  mem(opcode: number, alignLog2: number, offset: number): this {
    this.body.push(opcode);
    uleb(this.body, alignLog2);
    uleb(this.body, offset);
    return this;
  }

  /** A SIMD-prefixed instruction (0xfd, LEB opcode). */
  simd(opcode: number): this {
    this.body.push(0xfd);
    uleb(this.body, opcode);
    return this;
  }

  /** A SIMD memory instruction. */
  simdMem(opcode: number, alignLog2: number, offset: number): this {
    this.simd(opcode);
    uleb(this.body, alignLog2);
    uleb(this.body, offset);
    return this;
  }

  /** A SIMD lane instruction (`extract_lane`, `replace_lane`) with its lane index. */
  lane(opcode: number, lane: number): this {
    this.simd(opcode);
    this.body.push(lane);
    return this;
  }

  /** A SIMD load/store-lane instruction: its memory argument, then the lane index. */
  simdMemLane(opcode: number, alignLog2: number, offset: number, lane: number): this {
    this.simdMem(opcode, alignLog2, offset);
    this.body.push(lane);
    return this;
  }

  /** `v128.const` of four equal f32 lanes. */
  f32x4Const(value: number): this {
    this.simd(OP.v128Const);
    const bytes = new Uint8Array(new Float32Array([value, value, value, value]).buffer);
    for (const b of bytes) this.body.push(b);
    return this;
  }

  /** `br` / `br_if` with a relative depth. */
  br(depth: number, conditional = false): this {
    this.body.push(conditional ? OP.brIf : OP.br);
    uleb(this.body, depth);
    return this;
  }

  /** `local += delta` for an i32 local. */
  addTo(index: number, delta: number): this {
    return this.get(index).i32(delta).op(OP.i32Add).set(index);
  }

  /** `local += other` for i32 locals. */
  addLocal(index: number, other: number): this {
    return this.get(index).get(other).op(OP.i32Add).set(index);
  }

  /**
   * `for (; cond(); step()) body()` where `cond` pushes an i32. The body may
   * not branch out of the loop.
   */
  whileLoop(cond: () => void, body: () => void): this {
    this.op(OP.block, OP.emptyBlock);
    cond();
    this.op(OP.i32Eqz).br(0, true);
    this.op(OP.loop, OP.emptyBlock);
    body();
    cond();
    this.br(0, true);
    this.op(OP.end, OP.end);
    return this;
  }

  /** `if (cond) then() else otherwise()`, with the condition already pushed. */
  ifElse(then: () => void, otherwise?: () => void): this {
    this.op(OP.if, OP.emptyBlock);
    then();
    if (otherwise) {
      this.op(OP.else);
      otherwise();
    }
    this.op(OP.end);
    return this;
  }
}

/** Opcodes used by the kernels (core and SIMD). */
export const OP = {
  /** The block type of a block, loop or if that leaves no value. */
  emptyBlock: 0x40,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  select: 0x1b,
  i32Load: 0x28,
  f32Load: 0x2a,
  f64Load: 0x2b,
  f32Store: 0x38,
  f64Store: 0x39,
  i32Eqz: 0x45,
  i32Eq: 0x46,
  i32Ne: 0x47,
  i32LtS: 0x48,
  i32GtS: 0x4a,
  i32LeS: 0x4c,
  i32GeS: 0x4e,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32And: 0x71,
  i32Shl: 0x74,
  f32Sqrt: 0x91,
  f32Abs: 0x8b,
  f32Add: 0x92,
  f32Sub: 0x93,
  f32Mul: 0x94,
  f32Div: 0x95,
  f32Max: 0x97,
  f64Add: 0xa0,
  f32DemoteF64: 0xb6,
  f64PromoteF32: 0xbb,
  /** Prefix of the bulk-memory instructions (`memoryCopy`, then two zero memory indices). */
  miscPrefix: 0xfc,
  memoryCopy: 0x0a,
  // SIMD (after the 0xfd prefix)
  v128Load: 0x00,
  v128Load32Splat: 0x09,
  v128Store: 0x0b,
  v128Const: 0x0c,
  i32x4Splat: 0x11,
  f32x4Splat: 0x13,
  f64x2Splat: 0x14,
  f32x4ExtractLane: 0x1f,
  f64x2ExtractLane: 0x21,
  i32x4GtS: 0x3b,
  f32x4Lt: 0x43,
  f32x4Gt: 0x44,
  f64x2Lt: 0x49,
  v128And: 0x4e,
  v128AndNot: 0x4f,
  v128Or: 0x50,
  v128Bitselect: 0x52,
  v128Store64Lane: 0x5b,
  v128Load32Zero: 0x5c,
  v128Load64Zero: 0x5d,
  f32x4DemoteF64x2Zero: 0x5e,
  f64x2PromoteLowF32x4: 0x5f,
  f32x4Nearest: 0x6a,
  i32x4Shl: 0xab,
  i32x4ShrS: 0xac,
  i32x4Add: 0xae,
  i32x4Sub: 0xb1,
  f32x4Abs: 0xe0,
  f32x4Neg: 0xe1,
  f32x4Sqrt: 0xe3,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
  f32x4Div: 0xe7,
  f32x4Min: 0xe8,
  f32x4Max: 0xe9,
  // pmin/pmax: one instruction each, where min/max's NaN and ±0 rules cost several; a NaN x passes through both.
  f32x4Pmin: 0xea,
  f32x4Pmax: 0xeb,
  f64x2Add: 0xf0,
  f64x2Sub: 0xf1,
  f64x2Mul: 0xf2,
  f64x2Pmax: 0xf7,
  i32x4TruncSatF32x4S: 0xf8,
  f32x4RelaxedMadd: 0x105,
} as const;

/** One exported function of a module. */
export interface ExportedFunc {
  name: string;
  func: FuncBuilder;
}

/** The memory a module imports as `env.memory`, or `null` for none. */
export interface MemoryImport {
  /** Minimum size in 64 KiB pages. */
  minPages: number;
  /** Required for shared memories. */
  maxPages?: number;
  shared: boolean;
}

/**
 * Writes a module that imports `env.memory` (when given) and exports `funcs`.
 *
 * @example
 * ```ts
 * const f = new FuncBuilder([I32], [I32]);
 * f.get(0).i32(1).op(OP.i32Add);
 * const module = new WebAssembly.Module(buildModule({ memory: null, funcs: [{ name: "inc", func: f }] }));
 * ```
 */
export function buildModule(spec: { memory: MemoryImport | null; funcs: ExportedFunc[] }): Uint8Array<ArrayBuffer> {
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

  const types: number[] = [];
  uleb(types, spec.funcs.length);
  for (const { func } of spec.funcs) {
    types.push(0x60);
    uleb(types, func.params.length);
    types.push(...func.params);
    uleb(types, func.results.length);
    types.push(...func.results);
  }
  section(out, 1, types);

  if (spec.memory) {
    const imports: number[] = [];
    uleb(imports, 1);
    name(imports, "env");
    name(imports, "memory");
    imports.push(0x02);
    const { minPages, maxPages, shared } = spec.memory;
    if (shared && maxPages === undefined) throw new Error("a shared memory needs maxPages");
    imports.push((maxPages !== undefined ? 0x01 : 0x00) | (shared ? 0x02 : 0x00));
    uleb(imports, minPages);
    if (maxPages !== undefined) uleb(imports, maxPages);
    section(out, 2, imports);
  }

  const funcs: number[] = [];
  uleb(funcs, spec.funcs.length);
  spec.funcs.forEach((_, i) => uleb(funcs, i));
  section(out, 3, funcs);

  const exports: number[] = [];
  uleb(exports, spec.funcs.length);
  spec.funcs.forEach(({ name: fname }, i) => {
    name(exports, fname);
    exports.push(0x00);
    uleb(exports, i);
  });
  section(out, 7, exports);

  const code: number[] = [];
  uleb(code, spec.funcs.length);
  for (const { func } of spec.funcs) {
    const body: number[] = [];
    // Locals as runs of equal type, the compact form the format expects.
    const runs: [number, ValType][] = [];
    for (const t of func.locals) {
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    uleb(body, runs.length);
    for (const [count, t] of runs) {
      uleb(body, count);
      body.push(t);
    }
    for (const b of func.body) body.push(b);
    body.push(OP.end);
    uleb(code, body.length);
    for (const b of body) code.push(b);
  }
  section(out, 10, code);
  return new Uint8Array(out);
}
