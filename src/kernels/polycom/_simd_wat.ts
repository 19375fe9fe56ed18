/**
 * WebAssembly text of the SIMD row primitives behind the fused `wasm`
 * kernels. The module imports tfjs-backend-wasm's own memory, so it reads and
 * writes tensors in place. All arithmetic is f64x2 (two float32 elements
 * promoted per step), matching the float64 JavaScript path of the `cpu`
 * kernels, except `pn_out4` / `pn_dx4`: PolyNorm's elementwise output passes
 * in f32x4 (four elements a step) on float32 copies of the f64 row
 * coefficients, for ordinary rows. Orders up to 4 are unrolled, with zero
 * coefficients for unused orders.
 *
 * `_simd_build.ts` assembles this text into `_simd_wasm.ts`; a test checks
 * the two agree.
 *
 * Scratch layout (f64 slots at the `s` pointer): 0..3 S_1..S_4 (Σ u^2i),
 * 4..7 C_1..C_4 (Σ g u^i), 8 Σ g; 16..24 coefficients passed in.
 * @module
 */

/** f64 slot offsets (bytes) in the scratch block. */
const SUM = (i: number) => (i - 1) * 8; // S_i, i = 1..4
const DOT = (i: number) => 32 + (i - 1) * 8; // C_i
const GSUM = 64;
const COEF = (i: number) => 128 + i * 8; // coefficient slot i = 0..8

/** How a loop body reads and writes: two elements per step, or the one left at the end. */
interface Access {
  /** Promoted f64x2 of the float32 at pointer local `p` (a zero second lane for the last odd element). */
  load(p: string): string;
  /** Stores f64x2 local `$y` as float32 at pointer local `o`. */
  store(o: string): string;
}

const PAIR: Access = {
  load: (p) => `(f64x2.promote_low_f32x4 (v128.load64_zero (local.get ${p})))`,
  store: (o) => `(v128.store64_lane 0 (local.get ${o}) (f32x4.demote_f64x2_zero (local.get $y)))`,
};

const LAST: Access = {
  load: (p) => `(f64x2.promote_low_f32x4 (v128.load32_zero (local.get ${p})))`,
  store: (o) => `(f32.store (local.get ${o}) (f32x4.extract_lane 0 (f32x4.demote_f64x2_zero (local.get $y))))`,
};

function splatCoef(local: string, slot: number): string {
  return `(local.set ${local} (f64x2.splat (f64.load offset=${COEF(slot)} (local.get $s))))`;
}

function storeLanes(slot: number, acc: string): string {
  return `(f64.store offset=${slot} (local.get $s)
      (f64.add (f64x2.extract_lane 0 (local.get ${acc})) (f64x2.extract_lane 1 (local.get ${acc}))))`;
}

function accumulate(acc: string, value: string): string {
  return `(local.set ${acc} (f64x2.add (local.get ${acc}) ${value}))`;
}

const mul = (a: string, b: string) => `(f64x2.mul ${a} ${b})`;
const add = (a: string, b: string) => `(f64x2.add ${a} ${b})`;
const get = (name: string) => `(local.get ${name})`;

/** c0 + v·(c1 + v·(c2 + v·(c3 + v·c4))) over f64x2 locals. */
function horner(v: string, c: string[]): string {
  let acc = get(c[c.length - 1]);
  for (let i = c.length - 2; i >= 0; i--) acc = add(get(c[i]), mul(get(v), acc));
  return acc;
}

/** f32x4 forms for the elementwise output passes of ordinary rows (no sums; the output is float32). */
const mul4 = (a: string, b: string) => `(f32x4.mul ${a} ${b})`;
const add4 = (a: string, b: string) => `(f32x4.add ${a} ${b})`;

/** c0 + v·(c1 + v·(c2 + …)) over f32x4 locals. */
function horner4(v: string, c: string[]): string {
  let acc = get(c[c.length - 1]);
  for (let i = c.length - 2; i >= 0; i--) acc = add4(get(c[i]), mul4(get(v), acc));
  return acc;
}

function splatCoef4(local: string, slot: number): string {
  return `(local.set ${local} (f32x4.splat (f32.demote_f64 (f64.load offset=${COEF(slot)} (local.get $s)))))`;
}

/** Four float32 elements per step, or one of the (up to 3) left at the end in lane 0. */
const QUAD: Access = {
  load: (p) => `(v128.load align=4 (local.get ${p}))`,
  store: (o) => `(v128.store align=4 (local.get ${o}) (local.get $y))`,
};
const ONE: Access = {
  load: (p) => `(f32x4.splat (f32.load (local.get ${p})))`,
  store: (o) => `(f32.store (local.get ${o}) (f32x4.extract_lane 0 (local.get $y)))`,
};

/** The loop over `$n` float32 elements four at a time, then one at a time for the last `n mod 4`. */
function loop4(body: (io: Access) => string, pointers: string[]): string {
  const step = (bytes: number) =>
    pointers.map((p) => `(local.set ${p} (i32.add (local.get ${p}) (i32.const ${bytes})))`).join("\n        ");
  return `(local.set $rem (local.get $n))
    (block $done
      (loop $next
        (br_if $done (i32.lt_s (local.get $rem) (i32.const 4)))
        ${body(QUAD)}
        ${step(16)}
        (local.set $rem (i32.sub (local.get $rem) (i32.const 4)))
        (br $next)))
    (block $tail
      (loop $last
        (br_if $tail (i32.eqz (local.get $rem)))
        ${body(ONE)}
        ${step(4)}
        (local.set $rem (i32.sub (local.get $rem) (i32.const 1)))
        (br $last)))`;
}

/**
 * The loop over `$n` elements: the body two at a time while two are left,
 * then once more for an odd last element (with a zero second lane, which
 * adds nothing to any sum).
 */
function loop(body: (io: Access) => string, pointers: string[]): string {
  return `(local.set $rem (local.get $n))
    (block $done
      (loop $next
        (br_if $done (i32.lt_s (local.get $rem) (i32.const 2)))
        ${body(PAIR)}
        ${pointers.map((p) => `(local.set ${p} (i32.add (local.get ${p}) (i32.const 8)))`).join("\n        ")}
        (local.set $rem (i32.sub (local.get $rem) (i32.const 2)))
        (br $next)))
    (if (i32.eq (local.get $rem) (i32.const 1))
      (then
        ${body(LAST)}))`;
}

/**
 * The module's text.
 *
 * @example
 * ```ts
 * POLYCOM_SIMD_WAT.startsWith("(module"); // true
 * ```
 */
export const POLYCOM_SIMD_WAT = `(module
  (import "env" "memory" (memory 0))

  ;; max |x| over n float32 at p (float32 max is exact, so f32x4 suffices). pmax is one
  ;; instruction where max is several; like the JavaScript loop it skips NaN, which the
  ;; sums then carry into the output of the row.
  (func (export "max_abs") (param $p i32) (param $n i32) (result f64)
    (local $end4 i32) (local $end i32) (local $acc v128) (local $m f32)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (local.set $acc (f32x4.splat (f32.const 0)))
    (block $done4
      (loop $next4
        (br_if $done4 (i32.ge_u (local.get $p) (local.get $end4)))
        (local.set $acc (f32x4.pmax (local.get $acc) (f32x4.abs (v128.load (local.get $p)))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $next4)))
    (local.set $m (f32.max
      (f32.max (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
      (f32.max (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $m (f32.max (local.get $m) (f32.abs (f32.load (local.get $p)))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $next)))
    (f64.promote_f32 (local.get $m)))

  ;; S_i = Σ u^2i, i = 1..4, with u = x · invm.
  (func (export "pn_sums") (param $x i32) (param $n i32) (param $invm f64) (param $s i32)
    (local $rem i32) (local $vi v128) (local $u v128) (local $u2 v128) (local $u4 v128)
    (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $s4 v128)
    (local.set $vi (f64x2.splat (local.get $invm)))
    ${
  loop(
    (io) =>
      `(local.set $u (f64x2.mul ${io.load("$x")} (local.get $vi)))
        (local.set $u2 ${mul(get("$u"), get("$u"))})
        (local.set $u4 ${mul(get("$u2"), get("$u2"))})
        ${accumulate("$s1", get("$u2"))}
        ${accumulate("$s2", get("$u4"))}
        ${accumulate("$s3", mul(get("$u4"), get("$u2")))}
        ${accumulate("$s4", mul(get("$u4"), get("$u4")))}`,
    ["$x"],
  )
}
    ${[1, 2, 3, 4].map((i) => storeLanes(SUM(i), `$s${i}`)).join("\n    ")})

  ;; out = k0 + u·(k1 + u·(k2 + u·(k3 + u·k4))), coefficients k0..k4 in the scratch.
  (func (export "pn_out") (param $x i32) (param $o i32) (param $n i32) (param $invm f64) (param $s i32)
    (local $rem i32) (local $vi v128) (local $u v128) (local $y v128)
    (local $k0 v128) (local $k1 v128) (local $k2 v128) (local $k3 v128) (local $k4 v128)
    (local.set $vi (f64x2.splat (local.get $invm)))
    ${[0, 1, 2, 3, 4].map((i) => splatCoef(`$k${i}`, i)).join("\n    ")}
    ${
  loop(
    (io) =>
      `(local.set $u (f64x2.mul ${io.load("$x")} (local.get $vi)))
        (local.set $y ${horner("$u", ["$k0", "$k1", "$k2", "$k3", "$k4"])})
        ${io.store("$o")}`,
    ["$x", "$o"],
  )
})

  ;; S_i = Σ u^2i, C_i = Σ g·u^i (i = 1..4) and Σ g.
  (func (export "pn_bsums") (param $g i32) (param $x i32) (param $n i32) (param $invm f64) (param $s i32)
    (local $rem i32) (local $vi v128) (local $u v128) (local $gg v128) (local $u2 v128) (local $u4 v128)
    (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $s4 v128)
    (local $c1 v128) (local $c2 v128) (local $c3 v128) (local $c4 v128) (local $gs v128)
    (local.set $vi (f64x2.splat (local.get $invm)))
    ${
  loop(
    (io) =>
      `(local.set $u (f64x2.mul ${io.load("$x")} (local.get $vi)))
        (local.set $gg ${io.load("$g")})
        (local.set $u2 ${mul(get("$u"), get("$u"))})
        (local.set $u4 ${mul(get("$u2"), get("$u2"))})
        ${accumulate("$gs", get("$gg"))}
        ${accumulate("$c1", mul(get("$gg"), get("$u")))}
        ${accumulate("$c2", mul(get("$gg"), get("$u2")))}
        ${accumulate("$c3", mul(get("$gg"), mul(get("$u2"), get("$u"))))}
        ${accumulate("$c4", mul(get("$gg"), get("$u4")))}
        ${accumulate("$s1", get("$u2"))}
        ${accumulate("$s2", get("$u4"))}
        ${accumulate("$s3", mul(get("$u4"), get("$u2")))}
        ${accumulate("$s4", mul(get("$u4"), get("$u4")))}`,
    ["$x", "$g"],
  )
}
    ${[1, 2, 3, 4].map((i) => storeLanes(SUM(i), `$s${i}`)).join("\n    ")}
    ${[1, 2, 3, 4].map((i) => storeLanes(DOT(i), `$c${i}`)).join("\n    ")}
    ${storeLanes(GSUM, "$gs")})

  ;; dx = g·(b1 + u·(b2 + u·(b3 + u·b4))) − u·(q1 + u²·(q2 + u²·(q3 + u²·q4))),
  ;; b1..b4 in coefficient slots 1..4, q1..q4 in slots 5..8.
  (func (export "pn_dx") (param $g i32) (param $x i32) (param $o i32) (param $n i32) (param $invm f64) (param $s i32)
    (local $rem i32) (local $vi v128) (local $u v128) (local $u2 v128) (local $y v128)
    (local $zero v128) (local $b1 v128) (local $b2 v128) (local $b3 v128) (local $b4 v128)
    (local $q1 v128) (local $q2 v128) (local $q3 v128) (local $q4 v128)
    (local.set $vi (f64x2.splat (local.get $invm)))
    ${[1, 2, 3, 4].map((i) => splatCoef(`$b${i}`, i)).join("\n    ")}
    ${[1, 2, 3, 4].map((i) => splatCoef(`$q${i}`, 4 + i)).join("\n    ")}
    ${
  loop(
    (io) =>
      `(local.set $u (f64x2.mul ${io.load("$x")} (local.get $vi)))
        (local.set $u2 ${mul(get("$u"), get("$u"))})
        (local.set $y (f64x2.sub
          ${mul(io.load("$g"), horner("$u", ["$b1", "$b2", "$b3", "$b4"]))}
          ${mul(get("$u"), horner("$u2", ["$q1", "$q2", "$q3", "$q4"]))}))
        ${io.store("$o")}`,
    ["$x", "$g", "$o"],
  )
})

  ;; pn_out and pn_dx in f32x4, four elements a step, for rows the JavaScript side judges
  ;; ordinary (unscaled, moderate mean square); the row sums and coefficients stay f64.
  (func (export "pn_out4") (param $x i32) (param $o i32) (param $n i32) (param $invm f64) (param $s i32)
    (local $rem i32) (local $vi v128) (local $u v128) (local $y v128)
    (local $k0 v128) (local $k1 v128) (local $k2 v128) (local $k3 v128) (local $k4 v128)
    (local.set $vi (f32x4.splat (f32.demote_f64 (local.get $invm))))
    ${[0, 1, 2, 3, 4].map((i) => splatCoef4(`$k${i}`, i)).join("\n    ")}
    ${
  loop4(
    (io) =>
      `(local.set $u (f32x4.mul ${io.load("$x")} (local.get $vi)))
        (local.set $y ${horner4("$u", ["$k0", "$k1", "$k2", "$k3", "$k4"])})
        ${io.store("$o")}`,
    ["$x", "$o"],
  )
})

  (func (export "pn_dx4") (param $g i32) (param $x i32) (param $o i32) (param $n i32) (param $invm f64) (param $s i32)
    (local $rem i32) (local $vi v128) (local $u v128) (local $u2 v128) (local $y v128)
    (local $b1 v128) (local $b2 v128) (local $b3 v128) (local $b4 v128)
    (local $q1 v128) (local $q2 v128) (local $q3 v128) (local $q4 v128)
    (local.set $vi (f32x4.splat (f32.demote_f64 (local.get $invm))))
    ${[1, 2, 3, 4].map((i) => splatCoef4(`$b${i}`, i)).join("\n    ")}
    ${[1, 2, 3, 4].map((i) => splatCoef4(`$q${i}`, 4 + i)).join("\n    ")}
    ${
  loop4(
    (io) =>
      `(local.set $u (f32x4.mul ${io.load("$x")} (local.get $vi)))
        (local.set $u2 ${mul4(get("$u"), get("$u"))})
        (local.set $y (f32x4.sub
          ${mul4(io.load("$g"), horner4("$u", ["$b1", "$b2", "$b3", "$b4"]))}
          ${mul4(get("$u"), horner4("$u2", ["$q1", "$q2", "$q3", "$q4"]))}))
        ${io.store("$o")}`,
    ["$x", "$g", "$o"],
  )
})

  ;; PolyReLU: out = k0 + v·(k1 + v·(k2 + v·(k3 + v·k4))), v = relu(x) (NaN → 0, as x > 0 ? x : 0).
  (func (export "pr_fwd") (param $x i32) (param $o i32) (param $n i32) (param $s i32)
    (local $rem i32) (local $zero v128) (local $v v128) (local $y v128)
    (local $k0 v128) (local $k1 v128) (local $k2 v128) (local $k3 v128) (local $k4 v128)
    ${[0, 1, 2, 3, 4].map((i) => splatCoef(`$k${i}`, i)).join("\n    ")}
    ${
  loop(
    (io) =>
      `(local.set $v (f64x2.pmax (local.get $zero) ${io.load("$x")}))
        (local.set $y ${horner("$v", ["$k0", "$k1", "$k2", "$k3", "$k4"])})
        ${io.store("$o")}`,
    ["$x", "$o"],
  )
})

  ;; PolyReLU backward: dx = g·(d1 + v·(d2 + v·(d3 + v·d4))) where x > 0, else 0
  ;; (d_i = i·a_i in coefficient slots 1..4); C_i = Σ g·v^i and Σ g.
  (func (export "pr_bwd") (param $g i32) (param $x i32) (param $o i32) (param $n i32) (param $s i32)
    (local $rem i32) (local $zero v128) (local $xv v128) (local $v v128) (local $v2 v128) (local $gg v128)
    (local $y v128)
    (local $d1 v128) (local $d2 v128) (local $d3 v128) (local $d4 v128)
    (local $c1 v128) (local $c2 v128) (local $c3 v128) (local $c4 v128) (local $gs v128)
    ${[1, 2, 3, 4].map((i) => splatCoef(`$d${i}`, i)).join("\n    ")}
    ${
  loop(
    (io) =>
      `(local.set $xv ${io.load("$x")})
        (local.set $gg ${io.load("$g")})
        (local.set $v (f64x2.pmax (local.get $zero) (local.get $xv)))
        (local.set $v2 ${mul(get("$v"), get("$v"))})
        (local.set $y (v128.and
          (f64x2.lt (local.get $zero) (local.get $xv))
          ${mul(get("$gg"), horner("$v", ["$d1", "$d2", "$d3", "$d4"]))}))
        ${io.store("$o")}
        ${accumulate("$gs", get("$gg"))}
        ${accumulate("$c1", mul(get("$gg"), get("$v")))}
        ${accumulate("$c2", mul(get("$gg"), get("$v2")))}
        ${accumulate("$c3", mul(get("$gg"), mul(get("$v2"), get("$v"))))}
        ${accumulate("$c4", mul(get("$gg"), mul(get("$v2"), get("$v2"))))}`,
    ["$x", "$g", "$o"],
  )
}
    ${[1, 2, 3, 4].map((i) => storeLanes(DOT(i), `$c${i}`)).join("\n    ")}
    ${storeLanes(GSUM, "$gs")})
)
`;

/** Byte offsets of the scratch slots, for the JavaScript side. */
export const SCRATCH = {
  /** f64 index of S_i is i - 1. */
  sum: (i: number): number => SUM(i) / 8,
  /** f64 index of C_i. */
  dot: (i: number): number => DOT(i) / 8,
  /** f64 index of Σ g. */
  gSum: GSUM / 8,
  /** f64 index of coefficient slot i (0..8). */
  coef: (i: number): number => COEF(i) / 8,
  /** Bytes the scratch block needs. */
  bytes: COEF(8) + 8,
} as const;
