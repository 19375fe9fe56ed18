/**
 * AdamW's moments as two flat arrays (webgpu): every parameter's m (and v)
 * in one tensor, decaying parameters first, so that clipping and the update
 * of all parameters take two dispatches (`flatAdamW`) instead of a few per
 * parameter. The optimizer state keeps its per-parameter form at the edges
 * (export, import).
 * @module
 */
import { tf } from "../../backend/tf.ts";
import { type AdamWConstants, flatAdamW } from "../../kernels/adamw/mod.ts";

/** A parameter as the flat moments see it. */
export interface FlatParameter {
  name: string;
  param: tf.Variable;
  decay: boolean;
}

interface Place {
  at: number;
  size: number;
  shape: number[];
}

/**
 * Flat m and v over a fixed list of parameters.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * import { adamwConstants } from "../../kernels/adamw/mod.ts";
 * await tf.setBackend("webgpu");
 * const param = tf.variable(tf.ones([2, 3]));
 * const moments = new FlatMoments([{ name: "w", param, decay: true }]);
 * const grads = new Map([["w", tf.onesLike(param)]]);
 * const norm = moments.step(grads, adamwConstants([0.9, 0.95], 1e-8, 0.1, 1e-3, 1), 1.0);
 * ```
 */
export class FlatMoments {
  readonly #order: FlatParameter[];
  readonly #decayCount: number;
  readonly #places = new Map<string, Place>();
  #m: tf.Variable;
  #v: tf.Variable;

  constructor(parameters: readonly FlatParameter[]) {
    this.#order = [...parameters.filter((p) => p.decay), ...parameters.filter((p) => !p.decay)];
    this.#decayCount = parameters.filter((p) => p.decay).length;
    let at = 0;
    for (const p of this.#order) {
      this.#places.set(p.name, { at, size: p.param.size, shape: p.param.shape });
      at += p.param.size;
    }
    const length = Math.ceil(at / 4) * 4;
    const zeros = tf.zeros([length]);
    this.#m = tf.variable(zeros, false);
    this.#v = tf.variable(zeros, false);
    zeros.dispose();
  }

  /**
   * Clips `grads` (by name; absent: zero) to global norm `maxNorm` (`null`:
   * no clipping), updates every parameter and the moments; returns the norm
   * (the caller disposes it).
   */
  step(grads: ReadonlyMap<string, tf.Tensor>, constants: AdamWConstants, maxNorm: number | null): tf.Scalar {
    const slots = this.#order.map((p) => ({ p: p.param as tf.Tensor, g: grads.get(p.name) ?? null }));
    const next = flatAdamW(
      slots,
      this.#m as tf.Tensor as tf.Tensor1D,
      this.#v as tf.Tensor as tf.Tensor1D,
      this.#decayCount,
      constants,
      maxNorm,
    );
    this.#order.forEach((p, i) => p.param.assign(next.params[i]));
    this.#m.assign(next.m);
    this.#v.assign(next.v);
    tf.dispose([...next.params, next.m, next.v]);
    return next.norm;
  }

  /** One parameter's first (`m`) or second (`v`) moment, in the parameter's shape. */
  read(which: "m" | "v", name: string): tf.Tensor {
    const place = this.#place(name);
    return tf.tidy(() => tf.reshape(tf.slice(which === "m" ? this.#m : this.#v, place.at, place.size), place.shape));
  }

  /**
   * Replaces both moments: `values(name)` gives a parameter's m and v in its
   * shape (on the device: a layout change needs no read).
   */
  write(values: (name: string) => { m: tf.Tensor; v: tf.Tensor }): void {
    tf.tidy(() => {
      const pieces = this.#order.map((p) => values(p.name));
      const padding = this.#m.size - this.#order.reduce((n, p) => n + p.param.size, 0);
      const flat = (which: "m" | "v") =>
        tf.concat([...pieces.map((x) => tf.reshape(x[which], [x[which].size])), tf.zeros([padding])]);
      this.#m.assign(flat("m"));
      this.#v.assign(flat("v"));
    });
  }

  /** Frees the moments. */
  dispose(): void {
    this.#m.dispose();
    this.#v.dispose();
  }

  #place(name: string): Place {
    const place = this.#places.get(name);
    if (!place) throw new Error(`flat moments have no parameter ${name}`);
    return place;
  }
}
