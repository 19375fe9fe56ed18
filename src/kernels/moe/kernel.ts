/**
 * The MoE kernels' names, their cpu kernels (the reference loops of
 * math.ts: the cpu backend runs the grouped formulation for tests; training
 * on cpu and wasm routes on the host, see src/model/moe.ts) and gradients.
 *
 * - `MoeGroupedMatMul(x [rows, inner], w [E, inner, outer], blockExpert [rows / 32])`
 *   → `[rows, outer]`; attr `transposeW` reads `w` as `[E, outer, inner]`.
 * - `MoeGroupedWeightGrad(a [rows, m], b [rows, n], blockExpert)` → `[E, m, n]`; attr `experts`.
 * - `MoeSelectRows(x [n, d], index [m], inverse [n])` → `[m, d]`: row `index[i]`
 *   of x, or zeros where it is out of range; `inverse` (where each row of x
 *   went, out of range if nowhere) is the index of the gradient.
 *
 * Integer inputs get no gradient: they come from the top-k ids, which the
 * routing takes off the tape (src/model/moe.ts).
 * @module
 */
import { tf } from "../../backend/tf.ts";
import { type CpuBackend, fusedInputs } from "../fused/mod.ts";
import { groupedMatMul, type GroupedShape, groupedWeightGrad, MOE_BLOCK_ROWS, selectRows } from "./math.ts";

/** Kernel names. */
export const MOE_GROUPED_MATMUL = "MoeGroupedMatMul";
export const MOE_GROUPED_WEIGHT_GRAD = "MoeGroupedWeightGrad";
export const MOE_SELECT_ROWS = "MoeSelectRows";

/** Attributes of {@linkcode MOE_GROUPED_MATMUL}. */
export interface GroupedMatMulAttrs {
  [key: string]: boolean;
  transposeW: boolean;
}

/** Attributes of {@linkcode MOE_GROUPED_WEIGHT_GRAD}. */
export interface GroupedWeightGradAttrs {
  [key: string]: number;
  experts: number;
}

const inputs = fusedInputs("MoE");

/**
 * Input checks and output shape of a grouped product; shared by every backend.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/mod.ts";
 * const info = (shape: number[], dtype: tf.DataType = "float32") => ({ dataId: {}, shape, dtype });
 * groupedShape(info([32, 8]), info([2, 8, 4]), info([1], "int32"), false); // { rows: 32, inner: 8, outer: 4, experts: 2 }
 * ```
 */
export function groupedShape(
  x: tf.TensorInfo,
  w: tf.TensorInfo,
  blockExpert: tf.TensorInfo,
  transposeW: boolean,
): GroupedShape {
  const [rows, inner] = inputs.shape2d(x);
  if (w.shape.length !== 3) throw new Error(`MoE grouped product takes w [experts, in, out], got [${w.shape}]`);
  const [experts, a, b] = w.shape;
  const [wInner, outer] = transposeW ? [b, a] : [a, b];
  if (wInner !== inner) throw new Error(`MoE grouped product: x [${x.shape}] and w [${w.shape}] do not chain`);
  if (rows !== blockExpert.shape[0] * MOE_BLOCK_ROWS || blockExpert.dtype !== "int32") {
    throw new Error(`MoE grouped product: ${rows} rows need ${rows / MOE_BLOCK_ROWS} int32 block experts`);
  }
  return { rows, inner, outer, experts };
}

function cpuInts(b: CpuBackend, t: tf.TensorInfo): Int32Array {
  const v = b.data.get(t.dataId).values;
  if (!(v instanceof Int32Array)) throw new Error(`MoE kernels need int32 indices, got ${t.dtype}`);
  return v;
}

const cpuGrouped: tf.KernelFunc = ({ inputs: named, backend, attrs }) => {
  const b = backend as unknown as CpuBackend;
  const { x, w, blockExpert } = inputs.kernelInputs(named, "x", "w", "blockExpert");
  const { transposeW } = attrs as GroupedMatMulAttrs;
  const s = groupedShape(x, w, blockExpert, transposeW);
  const y = groupedMatMul(inputs.cpuFloats(b, x), inputs.cpuFloats(b, w), cpuInts(b, blockExpert), s, transposeW);
  return b.makeTensorInfo([s.rows, s.outer], "float32", y);
};

const cpuWeightGrad: tf.KernelFunc = ({ inputs: named, backend, attrs }) => {
  const b = backend as unknown as CpuBackend;
  const { a, b: bIn, blockExpert } = inputs.kernelInputs(named, "a", "b", "blockExpert");
  const { experts } = attrs as GroupedWeightGradAttrs;
  const [rows, m] = inputs.shape2d(a);
  const n = inputs.shape2d(bIn)[1];
  const ints = cpuInts(b, blockExpert);
  const dw = groupedWeightGrad(inputs.cpuFloats(b, a), inputs.cpuFloats(b, bIn), ints, rows, m, n, experts);
  return b.makeTensorInfo([experts, m, n], "float32", dw);
};

const cpuSelect: tf.KernelFunc = ({ inputs: named, backend }) => {
  const b = backend as unknown as CpuBackend;
  const { x, index } = inputs.kernelInputs(named, "x", "index", "inverse");
  const width = inputs.shape2d(x)[1];
  return b.makeTensorInfo(
    [index.shape[0], width],
    "float32",
    selectRows(inputs.cpuFloats(b, x), cpuInts(b, index), width),
  );
};

/**
 * The cpu kernel configs, for `tf.registerKernel`.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/mod.ts";
 * for (const config of MOE_KERNELS) tf.registerKernel(config);
 * ```
 */
export const MOE_KERNELS: tf.KernelConfig[] = [
  { kernelName: MOE_GROUPED_MATMUL, backendName: "cpu", kernelFunc: cpuGrouped },
  { kernelName: MOE_GROUPED_WEIGHT_GRAD, backendName: "cpu", kernelFunc: cpuWeightGrad },
  { kernelName: MOE_SELECT_ROWS, backendName: "cpu", kernelFunc: cpuSelect },
];

const run = (name: string, named: tf.NamedTensorMap, attrs: tf.NamedAttrMap = {}) =>
  tf.engine().runKernel(name, named, attrs) as tf.Tensor;

/**
 * The gradients: a grouped product's dX is the grouped product with the
 * other orientation of W, its dW the grouped weight gradient; a row
 * selection's gradient is the selection by `inverse`.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/mod.ts";
 * for (const config of MOE_GRADIENTS) tf.registerGradient(config);
 * ```
 */
export const MOE_GRADIENTS: tf.GradConfig[] = [
  {
    kernelName: MOE_GROUPED_MATMUL,
    inputsToSave: ["x", "w", "blockExpert"],
    gradFunc: (dy, saved, attrs) => {
      const [x, w, blockExpert] = saved;
      const { transposeW } = attrs as GroupedMatMulAttrs;
      const experts = w.shape[0];
      const dyT = dy as tf.Tensor;
      return {
        x: () => run(MOE_GROUPED_MATMUL, { x: dyT, w, blockExpert }, { transposeW: !transposeW }),
        w: () =>
          transposeW
            ? run(MOE_GROUPED_WEIGHT_GRAD, { a: dyT, b: x, blockExpert }, { experts })
            : run(MOE_GROUPED_WEIGHT_GRAD, { a: x, b: dyT, blockExpert }, { experts }),
      };
    },
  },
  {
    kernelName: MOE_SELECT_ROWS,
    inputsToSave: ["index", "inverse"],
    gradFunc: (dy, saved) => {
      const [index, inverse] = saved;
      return { x: () => run(MOE_SELECT_ROWS, { x: dy as tf.Tensor, index: inverse, inverse: index }) };
    },
  },
];
