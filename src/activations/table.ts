/**
 * The activation table: every fact about an activation that is not its
 * function, in one place and free of tfjs, so that suite schemas, reports,
 * charts, the published-data names and parameter counts read it without
 * loading a backend. The functions live in `registry.ts`, keyed by the same
 * ids (the compiler checks that every row has one).
 *
 * Adding a plain activation: one row here and its function in `registry.ts`
 * (see ARCHITECTURE.md).
 * @module
 */

/** Width multiplier of non-gated MLPs: 8256 / 5504 dense, 1536 / 1024 MoE. */
export const NON_GATED_WIDTH_MULTIPLIER = 1.5;

/** One row of the table. */
export interface ActivationRow {
  /** The Hugging Face `hidden_act` value written to config.json. */
  hfName: string;
  /** How reports, charts and the paper's figures spell it. */
  displayName: string;
  /** Its colour in every chart (the paper's figure colours where it plotted one). */
  colour: string;
  /** True when the MLP has gate and up projections (SwiGLU). */
  gated: boolean;
  /** True when the activation has learnable coefficients (PolyCom). */
  learnable: boolean;
  /** Hidden-width multiplier against SwiGLU's width at equal parameters (1 or 1.5). */
  widthMultiplier: number;
  /** Position in reports and charts: the paper's dense ranking, best first, then the activations it did not run. */
  paperOrder: number;
}

const plain = (hfName: string, displayName: string, colour: string, paperOrder: number): ActivationRow => ({
  hfName,
  displayName,
  colour,
  gated: false,
  learnable: false,
  widthMultiplier: NON_GATED_WIDTH_MULTIPLIER,
  paperOrder,
});

/**
 * Every activation the project compares, by id.
 *
 * @example
 * ```ts
 * ACTIVATIONS.polynorm.displayName; // "PolyNorm"
 * ```
 */
export const ACTIVATIONS = {
  swiglu: {
    hfName: "silu",
    displayName: "SwiGLU",
    colour: "#ff7f00",
    gated: true,
    learnable: false,
    widthMultiplier: 1,
    paperOrder: 2,
  },
  gelu: plain("gelu", "GELU", "#377eb8", 3),
  relu: plain("relu", "ReLU", "#4daf4a", 4),
  relu2: plain("relu2", "ReLU²", "#a65628", 5),
  silu: plain("silu_nongated", "SiLU", "#f781bf", 6),
  polyrelu: { ...plain("polyrelu", "PolyReLU", "#984ea3", 1), learnable: true },
  polynorm: { ...plain("polynorm", "PolyNorm", "#e41a1c", 0), learnable: true },
} as const satisfies Record<string, ActivationRow>;

/** Every activation id. */
export type ActivationName = keyof typeof ACTIVATIONS;

/**
 * Every activation id, in the table's order (as a tuple, for `z.enum`).
 *
 * @example
 * ```ts
 * ACTIVATION_IDS.includes("polynorm"); // true
 * ```
 */
export const ACTIVATION_IDS = Object.keys(ACTIVATIONS) as [ActivationName, ...ActivationName[]];

/**
 * The row of an id, `undefined` when the id is not in the table (results written by other code may name others).
 *
 * @example
 * ```ts
 * activationRow("relu2")?.displayName; // "ReLU²"
 * activationRow("nope"); // undefined
 * ```
 */
export function activationRow(id: string): ActivationRow | undefined {
  return Object.hasOwn(ACTIVATIONS, id) ? ACTIVATIONS[id as ActivationName] : undefined;
}
