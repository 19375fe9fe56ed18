/**
 * PolyNorm and PolyReLU on flat float32 rows, in float64 arithmetic. The cpu
 * kernels call these on the backend's arrays; the wasm kernels share the
 * per-row scalar logic ({@linkcode rowScale}, {@linkcode rowCoefficients}).
 *
 * PolyNorm is written in a scaled form: with a row scale m and u = x / m,
 * N(x^i) = u^i / d_i, d_i = sqrt(mean(u^2i) + eps / m^2i). First m = 1 is
 * tried (plain powers, one pass); float64 holds x^2r for any float32 x up to
 * r = 4, so only when a sum overflows (or eps is so small that underflowed
 * powers could matter) is the row redone with m = max |x|, where u ≤ 1 and
 * nothing overflows. When eps / m^2i dwarfs mean(u^2i) ≤ 1 (tiny rows, and
 * the all-zero row with m = 0) the closed form 1 / d_i = m^i / sqrt(eps) is
 * used, which neither overflows nor divides by zero.
 * @module
 */

/**
 * Above this t = sqrt(eps) / m^i, mean(u^2i) ≤ 1 changes d_i = sqrt(mean + t²)
 * by less than 1 / (2 t²) = 5e-17, below float64 resolution.
 */
const T_CUT_F64 = 1e8;

/**
 * The eps range of the unscaled try. Below it, powers that underflowed
 * float64 (< 1e-308 each) could be a visible part of mean(x^2i) + eps; above
 * it, sqrt(eps) would pass T_CUT_F64 at m = 1, and the eps-dominated closed
 * form assumes mean(u^2i) ≤ 1, which only scaled rows guarantee.
 */
const EPS_UNSCALED_F64 = [1e-280, 1e14] as const;

/**
 * Rows and row length of a flat buffer whose last axis has length n.
 *
 * @example
 * ```ts
 * rowCount(12, 4); // 3
 * ```
 */
export function rowCount(size: number, n: number): number {
  return n > 0 ? Math.round(size / n) : 0;
}

/**
 * Whether unscaled sums (m = 1) can be used: `sums[r]` (the largest) is
 * finite and eps is in the range where that is exact. A NaN or
 * infinite x also fails the test, and the scaled redo then carries the NaN.
 *
 * @example
 * ```ts
 * unscaledOk(Float64Array.of(0, 5, 25), 1e-6); // true
 * ```
 */
export function unscaledOk(sums: Float64Array, eps: number): boolean {
  return Number.isFinite(sums[sums.length - 1]) && eps >= EPS_UNSCALED_F64[0] && eps <= EPS_UNSCALED_F64[1];
}

/**
 * The row scale of the redo: m = max |x| (NaN skipped; the sums carry it).
 *
 * @example
 * ```ts
 * rowScale(new Float32Array([1, -3, 2]), 0, 3); // 3
 * ```
 */
export function rowScale(x: Float32Array, base: number, n: number): number {
  let m = 0;
  for (let j = 0; j < n; j++) {
    const v = Math.abs(x[base + j]);
    if (v > m) m = v;
  }
  return m;
}

/**
 * Per-row coefficients of the scaled form, shared by forward and backward
 * (and by the SIMD kernels). From the row scale `m` and `sums[i]` = Σ u^2i it
 * writes `invD[i]` = 1 / d_i and, when given, `back[i]` = i · a_i / (m · d_i),
 * the factor of the derivative of N(x^i) (finite at m = 0: a_1 / sqrt(eps)
 * for i = 1, else 0).
 *
 * @example
 * ```ts
 * const invD = new Float64Array(2);
 * rowCoefficients(2, Float64Array.of(0, 1), 1, [0, 1], 1e-3, invD, null);
 * ```
 */
export function rowCoefficients(
  m: number,
  sums: Float64Array,
  n: number,
  a: ArrayLike<number>,
  sqrtEps: number,
  invD: Float64Array,
  back: Float64Array | null,
): void {
  const r = a.length - 1;
  const mCut = sqrtEps / T_CUT_F64;
  const invm = m > 0 ? 1 / m : 0;
  let mPrev = 1; // m^(i-1)
  for (let i = 1; i <= r; i++) {
    const mi = mPrev * m;
    if (mi < mCut) {
      // eps dominates: 1/d_i = m^i / sqrt(eps), and i·a_i/(m·d_i) = i·a_i·m^(i-1)/sqrt(eps).
      invD[i] = mi / sqrtEps;
      if (back) back[i] = (i * a[i] * mPrev) / sqrtEps;
    } else {
      const t = sqrtEps / mi;
      invD[i] = 1 / Math.sqrt(sums[i] / n + t * t);
      if (back) back[i] = i * a[i] * invD[i] * invm;
    }
    mPrev = mi;
  }
}

/** sums[i] = Σ u^2i over the row, u = x · invm. */
function scaledSums(x: Float32Array, base: number, n: number, invm: number, sums: Float64Array): void {
  const r = sums.length - 1;
  sums.fill(0);
  for (let j = 0; j < n; j++) {
    const u = x[base + j] * invm;
    const u2 = u * u;
    let p = u2;
    for (let i = 1; i <= r; i++) {
      sums[i] += p;
      p *= u2;
    }
  }
}

/** sums[i] = Σ u^2i and dots[i] = Σ g·u^i over the row; returns Σ g. */
function scaledBackSums(
  dy: Float32Array,
  x: Float32Array,
  base: number,
  n: number,
  invm: number,
  sums: Float64Array,
  dots: Float64Array,
): number {
  const r = sums.length - 1;
  sums.fill(0);
  dots.fill(0);
  let gSum = 0;
  for (let j = 0; j < n; j++) {
    const u = x[base + j] * invm;
    const g = dy[base + j];
    gSum += g;
    let p = u;
    for (let i = 1; i <= r; i++) {
      dots[i] += g * p;
      sums[i] += p * p;
      p *= u;
    }
  }
  return gSum;
}

/**
 * out = a0 + Σ_{i=1..r} a_i · N(x^i) row by row, N over rows of length n.
 *
 * @example
 * ```ts
 * const out = new Float32Array(4);
 * polyNormForwardRows(new Float32Array([1, -2, 3, 0]), [0, 1 / 3, 1 / 3, 1 / 3], 1e-6, 4, out);
 * ```
 */
export function polyNormForwardRows(
  x: Float32Array,
  a: ArrayLike<number>,
  eps: number,
  n: number,
  out: Float32Array,
): void {
  const r = a.length - 1;
  const rows = rowCount(x.length, n);
  const sqrtEps = Math.sqrt(eps);
  const sums = new Float64Array(r + 1);
  const invD = new Float64Array(r + 1);
  const k = new Float64Array(r + 1);
  const a0 = a[0];
  for (let row = 0; row < rows; row++) {
    const base = row * n;
    let m = 1;
    scaledSums(x, base, n, 1, sums);
    if (!unscaledOk(sums, eps)) {
      m = rowScale(x, base, n);
      scaledSums(x, base, n, m > 0 ? 1 / m : 0, sums);
    }
    const invm = m > 0 ? 1 / m : 0;
    rowCoefficients(m, sums, n, a, sqrtEps, invD, null);
    for (let i = 1; i <= r; i++) k[i] = a[i] * invD[i];
    const kr = k[r];
    for (let j = 0; j < n; j++) {
      const u = x[base + j] * invm;
      let acc = kr;
      for (let i = r - 1; i >= 1; i--) acc = acc * u + k[i];
      out[base + j] = a0 + acc * u;
    }
  }
}

/**
 * Backward of {@linkcode polyNormForwardRows}: writes dx and adds the
 * coefficient gradient of all rows into `da` (length r + 1, float64).
 *
 * With u = x/m, c_i = Σ_j g_j u_j^i and D_i = 1/d_i:
 * dx_j = Σ_i (i a_i D_i / m) · u_j^(i-1) · (g_j − u_j^i · c_i D_i² / n),
 * da_i = Σ_rows c_i D_i, da_0 = Σ g.
 *
 * @example
 * ```ts
 * const dx = new Float32Array(2);
 * const da = new Float64Array(3);
 * polyNormBackwardRows(new Float32Array([1, 1]), new Float32Array([1, 2]), [0, 0.5, 0.5], 1e-6, 2, dx, da);
 * ```
 */
export function polyNormBackwardRows(
  dy: Float32Array,
  x: Float32Array,
  a: ArrayLike<number>,
  eps: number,
  n: number,
  dx: Float32Array,
  da: Float64Array,
): void {
  const r = a.length - 1;
  const rows = rowCount(x.length, n);
  const sqrtEps = Math.sqrt(eps);
  const sums = new Float64Array(r + 1);
  const dots = new Float64Array(r + 1);
  const invD = new Float64Array(r + 1);
  const back = new Float64Array(r + 1);
  const q = new Float64Array(r + 1);
  for (let row = 0; row < rows; row++) {
    const base = row * n;
    let m = 1;
    let gSum = scaledBackSums(dy, x, base, n, 1, sums, dots);
    if (!(unscaledOk(sums, eps) && Number.isFinite(dots[r]))) {
      m = rowScale(x, base, n);
      gSum = scaledBackSums(dy, x, base, n, m > 0 ? 1 / m : 0, sums, dots);
    }
    const invm = m > 0 ? 1 / m : 0;
    rowCoefficients(m, sums, n, a, sqrtEps, invD, back);
    da[0] += gSum;
    for (let i = 1; i <= r; i++) {
      da[i] += dots[i] * invD[i];
      q[i] = back[i] * dots[i] * invD[i] * invD[i] / n;
    }
    const br = back[r];
    const qr = q[r];
    for (let j = 0; j < n; j++) {
      const u = x[base + j] * invm;
      const u2 = u * u;
      // P(u) = Σ back_i u^(i-1) and Q(u) = Σ q_i u^(2i-1), both by Horner.
      let pAcc = br;
      let qAcc = qr;
      for (let i = r - 1; i >= 1; i--) {
        pAcc = pAcc * u + back[i];
        qAcc = qAcc * u2 + q[i];
      }
      dx[base + j] = dy[base + j] * pAcc - qAcc * u;
    }
  }
}

/**
 * out = a0 + Σ_{i=1..r} a_i · relu(x)^i, element-wise.
 *
 * @example
 * ```ts
 * const out = new Float32Array(2);
 * polyReLUForwardFlat(new Float32Array([-1, 2]), [0, 1, 1], out); // [0, 6]
 * ```
 */
export function polyReLUForwardFlat(x: Float32Array, a: ArrayLike<number>, out: Float32Array): void {
  const r = a.length - 1;
  const k = Float64Array.from(a as ArrayLike<number>);
  const a0 = k[0];
  const kr = k[r];
  for (let j = 0; j < x.length; j++) {
    const v = x[j] > 0 ? x[j] : 0;
    let acc = kr;
    for (let i = r - 1; i >= 1; i--) acc = acc * v + k[i];
    out[j] = a0 + acc * v;
  }
}

/**
 * Backward of {@linkcode polyReLUForwardFlat}: dx = g · Σ i a_i relu(x)^(i-1)
 * where x > 0 (0 elsewhere, as tfjs's relu gradient), and da_i += Σ g relu(x)^i.
 *
 * @example
 * ```ts
 * const dx = new Float32Array(2);
 * const da = new Float64Array(3);
 * polyReLUBackwardFlat(new Float32Array([1, 1]), new Float32Array([-1, 2]), [0, 1, 1], dx, da);
 * ```
 */
export function polyReLUBackwardFlat(
  dy: Float32Array,
  x: Float32Array,
  a: ArrayLike<number>,
  dx: Float32Array,
  da: Float64Array,
): void {
  const r = a.length - 1;
  const d = new Float64Array(r + 1); // derivative coefficients: d_i = i · a_i
  for (let i = 1; i <= r; i++) d[i] = i * a[i];
  const sums = new Float64Array(r + 1);
  const dr = d[r];
  for (let j = 0; j < x.length; j++) {
    const g = dy[j];
    sums[0] += g;
    const xv = x[j];
    if (xv > 0) {
      let acc = dr;
      for (let i = r - 1; i >= 1; i--) acc = acc * xv + d[i];
      dx[j] = g * acc;
      let p = xv;
      for (let i = 1; i <= r; i++) {
        sums[i] += g * p;
        p *= xv;
      }
    } else {
      dx[j] = 0;
    }
  }
  for (let i = 0; i <= r; i++) da[i] += sums[i];
}
