/**
 * Kernel names of the grouped projections and their gradient config. The
 * kernels exist on webgpu only (`webgpu.ts`); every other backend runs the
 * separate products (`fusedOrStock`). Inputs are positional arrays, as
 * tfjs's `Concat` takes them, because the number of products varies.
 * @module
 */
import { tf } from "../../backend/tf.ts";

/** `Yi = X·Wi`: inputs [X, W0…], outputs [Y0…]. */
export const FUSED_PROJECTIONS = "FusedProjections";
/** `dX = Σ dYi·Wiᵀ` and `dWi = Xᵀ·dYi`: inputs [X, dY0…, W0…], outputs [dX, dW0…]. */
export const FUSED_PROJECTIONS_GRAD = "FusedProjectionsGrad";

/** The gradient of the forward kernel: one kernel run gives dX and every dWi. */
export const PROJECTIONS_GRADIENT: tf.GradConfig = {
  kernelName: FUSED_PROJECTIONS,
  saveAllInputs: true,
  gradFunc: (dys, saved) => {
    const [x, ...ws] = saved;
    const rows = x.shape[0];
    // An output outside the loss has no gradient (null): it adds nothing.
    const dy = (Array.isArray(dys) ? dys : [dys]).map((d, i) => d ?? tf.zeros([rows, ws[i].shape[1] as number]));
    const inputs = [x, ...dy, ...ws] as unknown as tf.NamedTensorMap;
    const grads = tf.engine().runKernel<tf.Tensor[]>(FUSED_PROJECTIONS_GRAD, inputs);
    return grads.map((grad) => () => grad) as unknown as Record<string, () => tf.Tensor>;
  },
};
