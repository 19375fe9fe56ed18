/**
 * A native CBLAS (OpenBLAS by default) loaded through Deno FFI: `sgemm` at
 * the machine's real fp32 speed, which WebAssembly (128-bit SIMD, no FMA)
 * cannot reach. Used by the matmul kernels when it loads; the wasm SIMD GEMM
 * is the fallback.
 *
 * - `POLYCOM_BLAS=/path/lib.so` names the library; `POLYCOM_BLAS=none`
 *   disables it. Otherwise Debian's `libopenblas0-pthread` (and the usual
 *   multiarch / Homebrew paths) are tried.
 * - `OPENBLAS_CORETYPE` is chosen from the CPU flags before loading, unless
 *   the user set it: OpenBLAS 0.3.21 misdetects some Xeons and then runs its
 *   SSE3 kernels at a fifth of the speed.
 * - Every call runs on the calling thread alone: the library is loaded with
 *   its thread variables at 1 and the threads are ours (the worker pool of
 *   `parallel/`, each calling it on a block). OpenBLAS 0.3.21's own thread
 *   pool, torn down at process exit, corrupted the C heap in about one test
 *   run in three (an abort after every test had passed), and idle, it spins
 *   on the cores the worker pool needs.
 * @module
 */

/** CBLAS enum values (row-major, no transpose, transpose). */
const ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;

const SYMBOLS = {
  cblas_sgemm: {
    parameters: [
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "f32",
      "pointer",
      "i32",
      "pointer",
      "i32",
      "f32",
      "pointer",
      "i32",
    ],
    result: "void",
  },
  openblas_set_num_threads: { parameters: ["i32"], result: "void", optional: true },
  openblas_get_num_threads: { parameters: [], result: "i32", optional: true },
  openblas_get_config: { parameters: [], result: "pointer", optional: true },
  openblas_get_corename: { parameters: [], result: "pointer", optional: true },
} as const satisfies Deno.ForeignLibraryInterface;

/** What the fingerprint records about the BLAS in use. */
export interface BlasInfo {
  /** The library file that was loaded. */
  library: string;
  /** `openblas_get_config()`, or `null` for a CBLAS that is not OpenBLAS. */
  version: string | null;
  /** `openblas_get_corename()`: the kernels OpenBLAS picked (e.g. `SkylakeX`). */
  coreType: string | null;
  /** `OPENBLAS_CORETYPE` as set before loading, and whether this module chose it. */
  coreTypeRequested: string | null;
  coreTypeChosenHere: boolean;
  /** Threads one call runs on (1), `null` when the library cannot say. */
  threads: number | null;
}

/** Where the BLAS came from: loaded, or why not. */
export type BlasLoad = { ok: true; blas: NativeBlas } | { ok: false; reason: string };

/** Library paths tried when `POLYCOM_BLAS` is not set, in order. */
export const DEFAULT_BLAS_PATHS: readonly string[] = [
  "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
  "/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
  "/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0",
  "/usr/lib/aarch64-linux-gnu/libopenblas.so.0",
  "/usr/lib64/libopenblas.so.0",
  "/usr/lib/libopenblas.so.0",
  "/usr/local/lib/libopenblas.so.0",
  "/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
  "/usr/local/opt/openblas/lib/libopenblas.dylib",
];

/**
 * The `OPENBLAS_CORETYPE` for a CPU with these `/proc/cpuinfo` flags and
 * vendor: AVX-512 → `SkylakeX`, AVX2 → `Zen` (AMD) or `Haswell`; `null`
 * (let OpenBLAS detect) otherwise.
 *
 * @example
 * ```ts
 * chooseCoreType(["avx2", "avx512f"], "GenuineIntel"); // "SkylakeX"
 * ```
 */
export function chooseCoreType(flags: readonly string[], vendor: string): string | null {
  const has = new Set(flags);
  if (has.has("avx512f") && has.has("avx512bw") || has.has("avx512f") && has.has("avx512vl")) return "SkylakeX";
  if (has.has("avx2") && has.has("fma")) return vendor === "AuthenticAMD" ? "Zen" : "Haswell";
  return null;
}

function cpuFlags(): { flags: string[]; vendor: string } | null {
  try {
    const text = Deno.readTextFileSync("/proc/cpuinfo");
    const flags = text.match(/^flags\s*:\s*(.*)$/m)?.[1].trim().split(/\s+/) ?? [];
    const vendor = text.match(/^vendor_id\s*:\s*(.*)$/m)?.[1].trim() ?? "";
    return { flags, vendor };
  } catch {
    return null;
  }
}

function envGet(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

type Lib = Deno.DynamicLibrary<typeof SYMBOLS>;

/**
 * A loaded CBLAS. Operands are typed arrays (tfjs's own, or views of the wasm
 * memory): passed by pointer, never copied.
 *
 * @example
 * ```ts
 * const load = loadNativeBlas();
 * if (load.ok) {
 *   const c = new Float32Array(4);
 *   load.blas.sgemm(false, false, 2, 2, 2, new Float32Array([1, 2, 3, 4]), 0, new Float32Array([1, 0, 0, 1]), 0, c, 0);
 *   console.log(c); // [1, 2, 3, 4]
 * }
 * ```
 */

/** Throws when a `rows × cols` operand with leading dimension `ld` at `offset` does not fit in `data`. */
function inBounds(name: string, data: Float32Array, offset: number, rows: number, cols: number, ld: number): void {
  const last = offset + (rows - 1) * ld + cols - 1;
  if (offset < 0 || ld < cols || last >= data.length) {
    throw new RangeError(
      `sgemm: ${name} (${rows}×${cols}, ld ${ld}, at ${offset}) does not fit its ${data.length} floats`,
    );
  }
}

export class NativeBlas {
  readonly #lib: Lib;
  readonly #coreTypeRequested: string | null;
  readonly #chosenHere: boolean;

  constructor(readonly library: string, lib: Lib, coreTypeRequested: string | null, chosenHere: boolean) {
    this.#lib = lib;
    this.#coreTypeRequested = coreTypeRequested;
    this.#chosenHere = chosenHere;
  }

  /**
   * Row-major `C[m×n] = op(A)·op(B)` (`accumulate`: `C += …`), where `op(A)`
   * is `A` (stored m×k) or `Aᵀ` (stored k×m), likewise B; `aOff`, `bOff`,
   * `cOff` are element offsets into the arrays. `ld` gives the row strides
   * `[lda, ldb, ldc]` of blocks inside larger matrices (default: the stored
   * matrices' own widths).
   */
  sgemm(
    transposeA: boolean,
    transposeB: boolean,
    m: number,
    n: number,
    k: number,
    a: Float32Array,
    aOff: number,
    b: Float32Array,
    bOff: number,
    c: Float32Array,
    cOff: number,
    accumulate = false,
    ld?: readonly [number, number, number],
  ): void {
    if (m === 0 || n === 0) return;
    if (k === 0) {
      if (!accumulate) c.fill(0, cOff, cOff + m * n);
      return;
    }
    const lda = ld?.[0] ?? (transposeA ? m : k), ldb = ld?.[1] ?? (transposeB ? k : n), ldc = ld?.[2] ?? n;
    // The library reads and writes through raw pointers: an operand that does not fit its array would read or
    // corrupt whatever lies beyond it, so that is an error here, before the call.
    inBounds("A", a, aOff, transposeA ? k : m, transposeA ? m : k, lda);
    inBounds("B", b, bOff, transposeB ? n : k, transposeB ? k : n, ldb);
    inBounds("C", c, cOff, m, n, ldc);
    const pa = Deno.UnsafePointer.of(a), pb = Deno.UnsafePointer.of(b), pc = Deno.UnsafePointer.of(c);
    this.#lib.symbols.cblas_sgemm(
      ROW_MAJOR,
      transposeA ? TRANS : NO_TRANS,
      transposeB ? TRANS : NO_TRANS,
      m,
      n,
      k,
      1,
      Deno.UnsafePointer.offset(pa!, aOff * 4),
      lda,
      Deno.UnsafePointer.offset(pb!, bOff * 4),
      ldb,
      accumulate ? 1 : 0,
      Deno.UnsafePointer.offset(pc!, cOff * 4),
      ldc,
    );
  }

  /** The threads one call runs on (1: see the module notes), `null` when the library cannot say. */
  threads(): number | null {
    return this.#lib.symbols.openblas_get_num_threads?.() ?? null;
  }

  /** What the fingerprint records. */
  info(): BlasInfo {
    const str = (p: Deno.PointerValue | undefined) => p ? new Deno.UnsafePointerView(p).getCString().trim() : null;
    return {
      library: this.library,
      version: str(this.#lib.symbols.openblas_get_config?.()),
      coreType: str(this.#lib.symbols.openblas_get_corename?.()),
      coreTypeRequested: this.#coreTypeRequested,
      coreTypeChosenHere: this.#chosenHere,
      threads: this.threads(),
    };
  }
}

const RTLD_NOW = 2, RTLD_NODELETE = 0x1000;

/**
 * Keeps the library loaded until the process exits. Deno closes a runtime's
 * libraries when the runtime ends (a worker, a test module): without this,
 * OpenBLAS unloads, runs its teardown and initialises afresh for the next
 * runtime, several times a process. One extra `RTLD_NODELETE` handle makes it
 * one load and one teardown, at exit.
 */
function pin(path: string): void {
  if (Deno.build.os !== "linux") return;
  try {
    const libc = Deno.dlopen("libc.so.6", { dlopen: { parameters: ["buffer", "i32"], result: "pointer" } });
    libc.symbols.dlopen(new TextEncoder().encode(path + "\0"), RTLD_NOW | RTLD_NODELETE);
    libc.close();
  } catch {
    // Not glibc: the library unloads with the last runtime that opened it.
  }
}

/** The variables CBLAS libraries read their thread count from at load; each is 1 while one loads. */
const THREAD_VARIABLES = ["OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"];

/** Runs `load` with the thread variables at 1, then puts the user's values back (children inherit those). */
function withOneThread<T>(load: () => T): T {
  const saved = THREAD_VARIABLES.map((name) => [name, envGet(name)] as const);
  try {
    for (const [name] of saved) Deno.env.set(name, "1");
  } catch {
    // No --allow-env: the library picks its own count; threads() reports it.
  }
  try {
    return load();
  } finally {
    try {
      for (const [name, value] of saved) value === undefined ? Deno.env.delete(name) : Deno.env.set(name, value);
    } catch {
      // Nothing was set.
    }
  }
}

function tryOpen(path: string): { lib: Lib } | { error: string } {
  try {
    const lib = withOneThread(() => Deno.dlopen(path, SYMBOLS));
    // A library loaded earlier in the process kept its count: set it too.
    lib.symbols.openblas_set_num_threads?.(1);
    pin(path);
    return { lib };
  } catch (error) {
    return { error: error instanceof Error ? error.message.split("\n")[0] : String(error) };
  }
}

let cached: BlasLoad | undefined;

/**
 * Loads the native BLAS once per process (later calls return the same
 * outcome): `POLYCOM_BLAS` when set (`none` disables), else the first of
 * {@linkcode DEFAULT_BLAS_PATHS} that opens and has `cblas_sgemm`. Never
 * throws: a machine without one gets the reason, and the wasm GEMM.
 *
 * @example
 * ```ts
 * const load = loadNativeBlas();
 * console.log(load.ok ? load.blas.info() : `no native BLAS: ${load.reason}`);
 * ```
 */
export function loadNativeBlas(): BlasLoad {
  if (cached) return cached;
  const named = envGet("POLYCOM_BLAS")?.trim();
  if (named?.toLowerCase() === "none") return cached = { ok: false, reason: "disabled by POLYCOM_BLAS=none" };
  if (typeof Deno.dlopen !== "function") return cached = { ok: false, reason: "this runtime has no Deno.dlopen" };
  const userCore = envGet("OPENBLAS_CORETYPE");
  let requested = userCore ?? null, chosenHere = false;
  if (userCore === undefined) {
    const cpu = cpuFlags();
    const core = cpu ? chooseCoreType(cpu.flags, cpu.vendor) : null;
    if (core) {
      try {
        // OpenBLAS reads it in its load-time constructor, so it must be set before dlopen.
        Deno.env.set("OPENBLAS_CORETYPE", core);
        requested = core;
        chosenHere = true;
      } catch {
        // No --allow-env: OpenBLAS detects the core itself.
      }
    }
  }
  const paths = named ? [named] : DEFAULT_BLAS_PATHS;
  const failures: string[] = [];
  for (const path of paths) {
    if (!named) {
      try {
        Deno.statSync(path);
      } catch {
        continue;
      }
    }
    const opened = tryOpen(path);
    if ("lib" in opened) {
      return cached = { ok: true, blas: new NativeBlas(path, opened.lib, requested, chosenHere) };
    }
    failures.push(`${path}: ${opened.error}`);
  }
  if (chosenHere) {
    try {
      Deno.env.delete("OPENBLAS_CORETYPE");
    } catch {
      // Nothing was loaded; the variable is harmless.
    }
  }
  const reason = failures.length
    ? failures.join("; ")
    : `no OpenBLAS found (apt-get install libopenblas0-pthread, or set POLYCOM_BLAS=/path/to/libcblas.so)`;
  return cached = { ok: false, reason };
}

/**
 * The loaded BLAS, or `null` (see {@linkcode loadNativeBlas} for why not).
 *
 * @example
 * ```ts
 * console.log(nativeBlas()?.info().coreType ?? "wasm GEMM");
 * ```
 */
export function nativeBlas(): NativeBlas | null {
  const load = loadNativeBlas();
  return load.ok ? load.blas : null;
}
